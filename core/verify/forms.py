from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class VerifyForm(FlaskForm):
    file = FileField(_l("Document PDF à vérifier"),
                     validators=[FileRequired(message=_l("Choisissez le fichier PDF à vérifier."))])
