from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class StandardPagination(PageNumberPagination):
    """`?page=N&page_size=M`; the page size is capped so a client cannot ask for all rows."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "page": self.page.number,
                "page_size": self.get_page_size(self.request),
                "total_pages": self.page.paginator.num_pages,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        base = super().get_paginated_response_schema(schema)
        base["properties"].update(
            {
                "page": {"type": "integer", "example": 1},
                "page_size": {"type": "integer", "example": self.page_size},
                "total_pages": {"type": "integer", "example": 1},
            }
        )
        base["required"] = ["count", "page", "page_size", "total_pages", "results"]
        return base
