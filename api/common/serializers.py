"""Shapes used only to document responses in the OpenAPI schema."""

from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
    request_id = serializers.CharField(allow_null=True)


class ErrorResponseSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()
