"""The console's forms; Flask-WTF adds and checks the CSRF token on every one."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from handoff.users import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class PasswordForm(FlaskForm):
    current = PasswordField("Current (or one-time) password", validators=[DataRequired(), Length(max=1024)])
    new = PasswordField("New password", validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1024)])


class UserForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=320)])
    name = StringField("Name", validators=[Length(max=200)])
    role = SelectField("Role", choices=[("coordinator", "Coordinator"), ("admin", "Admin")])


class AdjustForm(FlaskForm):
    """One estimate item's new range and why (handoff.adjustments checks the amounts)."""

    code = StringField("Item", validators=[DataRequired(message="The form does not say which item."), Length(max=64)])
    pathway = StringField("Pathway", validators=[Length(max=64)])
    low = StringField("Low", validators=[Length(max=40)])
    high = StringField("High", validators=[Length(max=40)])
    reason = StringField("Reason", validators=[Length(max=500, message="The reason is too long (at most 500 characters).")])
