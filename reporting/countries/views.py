"""Country pages; a country-bound user sees only their own country."""
from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from reporting.accounts.access import visible_country
from reporting.countries.services import sorted_by_name
from reporting.extensions import db
from reporting.models import Country

bp = Blueprint("countries", __name__, url_prefix="/countries")


@bp.get("/")
@login_required
def index():
    query = select(Country)
    if current_user.role_enum.is_country_bound:
        query = query.where(Country.id == current_user.country_id)
    countries = sorted_by_name(db.session.scalars(query))
    return render_template("countries/list.html", countries=countries)


@bp.get("/<iso3>")
@login_required
def detail(iso3: str):
    return render_template("countries/detail.html", country=visible_country(iso3))
