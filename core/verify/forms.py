from flask_babel import lazy_gettext as _l
from core.csrf import LivretForm
from flask_wtf.file import FileField, FileRequired


class VerifyForm(LivretForm):
    file = FileField(_l("Document PDF à vérifier"),
                     validators=[FileRequired(message=_l("Choisissez le fichier PDF à vérifier."))])
