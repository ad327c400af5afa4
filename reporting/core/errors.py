"""Error pages and JSON errors that say what went wrong and leak nothing."""
from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

MESSAGES = {
    400: _l("The request could not be understood. Please check what you sent and try again."),
    401: _l("Please sign in to continue."),
    403: _l("You do not have permission to see this page."),
    404: _l("There is no such page."),
    405: _l("This action is not allowed here."),
    409: _l("Someone else changed this in the meantime. Your input was kept; please review and save again."),
    413: _l("What you sent is too large."),
    422: _l("Some of what you sent is not valid. Please correct it and try again."),
    429: _l("Too many attempts. Please wait a moment before trying again."),
    500: _l("Something went wrong on our side. Nothing you sent was lost; please try again."),
}
PUBLIC_MESSAGES = {
    404: _l("There is no such public page: the address is wrong, or what it names is not published."),
}
CSRF_MESSAGE = _l("This form has expired or did not come from this site. Please reload the page and try again.")


def wants_json() -> bool:
    return request.path.startswith("/api/")


def render_error(code: int, message: str, details: dict | None = None):
    if wants_json():
        body = {"error": {"status": code, "message": str(message)}}
        if details:
            body["error"]["fields"] = details
        return jsonify(body), code
    if request.path.startswith("/public/"):
        # The portal's own page: no sign-in form or session cookie, links back into the portal.
        message = PUBLIC_MESSAGES.get(code, message) if message == MESSAGES.get(code) else message
        return render_template("publication/error.html", code=code, message=message), code
    return render_template("errors/error.html", code=code, message=message), code


def handle_http_error(error: HTTPException):
    code = error.code or 500
    if code not in MESSAGES:
        code = 500 if code >= 500 else 400
    body, status = render_error(code, MESSAGES[code])
    response = make_response(body, status)
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        # RFC 9110: a 405 says which methods the resource does allow.
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return response


def handle_csrf_error(_error: CSRFError):
    return render_error(400, CSRF_MESSAGE)


def handle_input_error(error):
    """A value refused at the input boundary (``reporting.core.inputs``): 422 naming the field."""
    return render_error(422, str(error), {error.field: [str(error.message)]})


def handle_unexpected(error: Exception):
    from flask import current_app

    from reporting.extensions import db

    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    # A failed statement leaves a PostgreSQL transaction aborted: the error page (which reads
    # the signed-in user's country for the layout) needs a fresh one.
    db.session.rollback()
    return render_error(500, MESSAGES[500])


def init_app(app: Flask) -> None:
    from reporting.core.inputs import InputError

    app.register_error_handler(InputError, handle_input_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
