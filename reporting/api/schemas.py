"""marshmallow schemas of the REST API: what goes out and what may come in."""
from flask import url_for
from marshmallow import Schema, ValidationError, fields, validate, validates_schema


class CycleSchema(Schema):
    label = fields.String()
    state = fields.String()
    spec_version = fields.Function(lambda cycle: cycle.spec_version.version)
    deadline = fields.Date()
    is_demo = fields.Boolean()


class SubmissionSummarySchema(Schema):
    country = fields.Function(lambda submission: submission.country.iso3)
    state = fields.String()
    may_publish = fields.Boolean(metadata={"description": "whether the country agreed, on submit, to publish its "
                                                          "descriptions of measures and documents"})
    version = fields.Integer()
    updated_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)


class AnswerSchema(Schema):
    value = fields.Raw()
    carried_over = fields.Boolean()


class CommentSchema(Schema):
    section = fields.String(attribute="section_key")
    question = fields.String(attribute="item_key", allow_none=True)
    text = fields.String()
    created_at = fields.DateTime()


class DocumentSchema(Schema):
    """An evidence document; ``url`` downloads it (same API authentication)."""

    id = fields.Integer()
    key = fields.String(attribute="item_key")
    filename = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_at = fields.DateTime()
    url = fields.Function(lambda document: url_for(
        "api.document", label=document.submission.cycle.label, iso3=document.submission.country.iso3, document_id=document.id))


class SubmissionSchema(SubmissionSummarySchema):
    cycle = fields.Function(lambda submission: submission.cycle.label)
    answers = fields.Method("answers_by_key")
    comments = fields.List(fields.Nested(CommentSchema))
    documents = fields.List(fields.Nested(DocumentSchema))

    def answers_by_key(self, submission):
        return {answer.key: AnswerSchema().dump(answer) for answer in sorted(submission.answers, key=lambda a: a.key)}


class SaveResultSchema(Schema):
    """PATCH answers response: only what a client needs to go on saving (the whole submission
    is one GET away; sending it back on every save cost 75 KB for France and most of the time)."""

    version = fields.Integer(metadata={"description": "send it as base_version with the next save"})
    state = fields.String()
    updated_at = fields.DateTime()
    saved = fields.List(fields.String(), metadata={"description": "the keys this request sent"})
    changed = fields.List(fields.String(), metadata={"description": "keys whose stored value changed, "
                                                     "including answers cleared because show_if now hides them"})
    problems = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), metadata={
        "description": "what still stops the submission in the sections saved, by question key (or check)"})


class AnswersUpdateSchema(Schema):
    """PATCH body: the version the client last read, and answers by key (null clears one)."""

    base_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    answers = fields.Dict(keys=fields.String(validate=validate.Length(min=1, max=160)), values=fields.Raw(allow_none=True), required=True)

    @validates_schema
    def not_empty(self, data, **_kwargs):
        if not data.get("answers"):
            raise ValidationError("give at least one answer", "answers")


class VersionSchema(Schema):
    base_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class SubmitSchema(VersionSchema):
    may_publish = fields.Boolean(load_default=False, metadata={
        "description": "the focal point's consent: the descriptions of measures and the documents of this submission "
                       "may be published once the cycle is (default false: only statuses, ticks and figures are public)"})


class ReviewSchema(VersionSchema):
    action = fields.String(required=True, validate=validate.OneOf(["accept", "return"]))
    comments = fields.Dict(keys=fields.String(), values=fields.String(validate=validate.Length(max=4000)), load_default=dict)


class WorkbookQuerySchema(Schema):
    """GET …/workbook: which sections (comma-separated keys; all by default) and the language of the labels."""

    sections = fields.String(load_default="")
    lang = fields.String(load_default=None, validate=validate.OneOf(["ar", "zh", "en", "fr", "ru", "es"]))


class WorkbookUploadQuerySchema(Schema):
    """POST …/workbook: preview only (default), or apply at once."""

    apply = fields.Boolean(load_default=False)


class WorkbookChangeSchema(Schema):
    key = fields.String()
    section = fields.String()
    question = fields.String()
    reference = fields.String()
    place = fields.String(metadata={"description": "sheet and cell of the answer in the workbook"})
    old = fields.Raw(allow_none=True)
    new = fields.Raw(allow_none=True)


class WorkbookConflictSchema(Schema):
    key = fields.String()
    section = fields.String()
    question = fields.String()
    reference = fields.String()
    place = fields.String()
    yours = fields.Raw(allow_none=True, metadata={"description": "the value in the workbook"})
    theirs = fields.Raw(allow_none=True, metadata={"description": "the value saved since the workbook was made; kept"})


class WorkbookPreviewSchema(Schema):
    workbook_version = fields.Integer(metadata={"description": "the submission version the workbook was made from"})
    current_version = fields.Integer(metadata={"description": "the submission version now (after applying, when applied)"})
    changes = fields.List(fields.Nested(WorkbookChangeSchema))
    conflicts = fields.List(fields.Nested(WorkbookConflictSchema), metadata={"description": "never overwritten"})
    applied = fields.Boolean()


class ErrorSchema(Schema):
    error = fields.Dict()
