from core.hookspecs import hookimpl
from core.mail import OutboxMailer, SmtpMailer


@hookimpl(trylast=True)
def livret_mailer(config):
    if config["MAIL_BACKEND"] == "smtp":
        return SmtpMailer(
            host=config["SMTP_HOST"], port=config["SMTP_PORT"],
            username=config["SMTP_USERNAME"], password=config["SMTP_PASSWORD"],
            starttls=config["SMTP_STARTTLS"], ssl=config["SMTP_SSL"],
        )
    return OutboxMailer(config["MAIL_OUTBOX_DIR"])
