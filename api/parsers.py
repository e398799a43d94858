"""The API's request body parser: DRF's JSON parser, its refusals in French and never a server error."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MALFORMED = "Le corps de la requête n’est pas du JSON valide"


class JSONParser(parsers.JSONParser):
    """JSON nested deeper than Python can decode (a body of 100,000 "[") raised RecursionError, a 500: it is
    malformed JSON like any other, answered 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"{MALFORMED}\u00a0: imbrication trop profonde.") from None
        except ParseError as error:
            raise ParseError(f"{MALFORMED} ({error.detail}).") from None
