"""OpenAPI generation: every operation documents the error answers it can give, in
the shared error shape, so clients (and schemathesis) know what to expect."""

from drf_yasg import openapi
from drf_yasg.inspectors import FieldInspector, NotHandled, SwaggerAutoSchema

from api.common.serializers import ErrorResponseSerializer

_ERROR_DESCRIPTIONS = {
    "400": "Invalid input: `error.fields` names each field and why.",
    "401": "Missing, invalid or expired token.",
    "403": "The role or the object's scope does not allow this.",
    "404": "No such object (or not visible to you), or no such page.",
    "409": "Conflicts with the current state (`error` says which).",
    "429": "Too many requests; `error.retry_after_seconds` says when to retry.",
    "503": "A dependency is unavailable; retry shortly.",
}


class ErrorDocumentingAutoSchema(SwaggerAutoSchema):
    def get_response_serializers(self):
        responses = super().get_response_serializers()
        method = self.method.upper()
        codes = {"401", "403", "429"}
        if method in ("POST", "PUT", "PATCH"):
            codes |= {"400", "409"}
        if method == "DELETE":
            codes.add("409")
        if "{" in self.path:
            codes.add("404")
        if method == "GET" and (self.should_filter() or self.should_page()):
            codes.add("400")  # a filter value that is not of its type
        if method == "GET" and self.should_page():
            codes.add("404")  # a page number past the last page
        if self.overrides.get("security") == []:
            codes -= {"401", "403"}
        for code in sorted(codes):
            if code not in {str(key) for key in responses}:
                responses[code] = openapi.Response(
                    _ERROR_DESCRIPTIONS[code], ErrorResponseSerializer
                )
        return responses


class ReadOnlyTextInspector(FieldInspector):
    """Output text may be empty: drop the `minLength: 1` drf-yasg puts on read-only
    CharFields (DRF forgets `allow_blank` on read-only fields), so responses with
    blank names or notes do not contradict the schema."""

    def process_result(self, result, method_name, obj, **kwargs):
        if (
            getattr(obj, "read_only", False)
            and isinstance(result, openapi.Schema)
            and result.get("type") == openapi.TYPE_STRING
        ):
            result.pop("minLength", None)
        return result

    def field_to_swagger_object(self, field, swagger_object_type, use_references, **kwargs):
        return NotHandled
