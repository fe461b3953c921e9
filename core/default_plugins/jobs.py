from core.hookspecs import hookimpl
from core.jobs import InlineQueue, RQQueue


@hookimpl(trylast=True)
def livret_job_queue(config):
    if config["JOBS_BACKEND"] == "rq":
        return RQQueue(config["REDIS_URL"], config["JOBS_QUEUE"])
    return InlineQueue()
