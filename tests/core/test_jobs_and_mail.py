"""Jobs (inline and RQ on a real Redis) and mail (outbox and a real SMTP server)."""
import uuid

import pytest

from core import create_app
from core.jobs import InlineQueue, RQQueue
from core.mail import OutboxMailer, SmtpMailer, send_mail
from storage.testing import free_port

REDIS_URL = "redis://127.0.0.1:6379/0"


def record_job(path, value):
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(value + "\n")


def test_inline_queue_runs_at_once(tmp_path):
    queue = InlineQueue()
    queue.enqueue(f"{__name__}.record_job", path=str(tmp_path / "out"), value="un")
    assert (tmp_path / "out").read_text() == "un\n"


def test_wrong_job_path_fails_in_the_caller():
    with pytest.raises((ImportError, AttributeError, ValueError)):
        InlineQueue().enqueue("core.mail.no_such_job")


def test_send_mail_writes_to_the_outbox(app, outbox):
    with app.app_context():
        send_mail(["camille@example.org"], "Votre dossier", "Bonjour Camille,\nvotre dossier est enregistré.")
    messages = outbox()
    assert len(messages) == 1
    assert messages[0]["To"] == "camille@example.org"
    assert messages[0]["Subject"] == "Votre dossier"
    assert "votre dossier est enregistré" in messages[0].get_content()


def test_rq_queue_and_worker_with_real_redis(app_config, tmp_path):
    queue_name = f"livret-test-{uuid.uuid4().hex[:8]}"
    app = create_app(dict(app_config, JOBS_BACKEND="rq", REDIS_URL=REDIS_URL, JOBS_QUEUE=queue_name))
    jobs = app.extensions["livret"].jobs
    assert isinstance(jobs, RQQueue)
    target = tmp_path / "rq-out"
    with app.app_context():
        jobs.enqueue(f"{__name__}.record_job", path=str(target), value="deux")
        send_mail("lea@example.org", "Sujet RQ", "Texte")
    assert not target.exists()  # queued, not run
    try:
        jobs.work(burst=True, app=app)
        assert target.read_text() == "deux\n"
        outbox = app.extensions["livret"].mailer.messages()
        assert [m["Subject"] for m in outbox] == ["Sujet RQ"]
    finally:
        jobs.queue.delete(delete_jobs=True)


def test_smtp_mailer_against_a_real_smtp_server():
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    port = free_port()  # below the ephemeral range: no connection takes it meanwhile
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        from core.mail import Message

        message = Message(to=["jure@example.org"], subject="Convocation", text="Session du 3 mars").build(
            "Livret <no-reply@livret.test>")
        SmtpMailer("127.0.0.1", port).send(message)
    finally:
        controller.stop()
    assert len(received) == 1
    assert received[0].rcpt_tos == ["jure@example.org"]
    assert b"Convocation" in received[0].content


def test_outbox_is_atomic_and_ordered(tmp_path):
    from core.mail import Message

    mailer = OutboxMailer(tmp_path)
    for i in range(3):
        mailer.send(Message(to=["x@example.org"], subject=f"n{i}", text="t").build("a@b.fr"))
    assert [m["Subject"] for m in mailer.messages()] == ["n0", "n1", "n2"]
    assert not list(tmp_path.glob("*.tmp"))
