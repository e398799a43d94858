"""Pages of the API's lists: `?page=2&page_size=100` (50 by default, 500 at most)."""

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    page_query_param = "page"
    page_size_query_description = "Nombre de résultats par page (50 par défaut, 500 au plus)."
    page_query_description = "Numéro de la page (à partir de 1)."
    invalid_page_message = "Cette page n’existe pas."
