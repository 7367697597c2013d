from asgiref.sync import iscoroutinefunction, markcoroutinefunction

from .request import in_request


class AuditContextMiddleware:
    """Makes the current request (and so its user) known to the audit log's signal handlers.

    Placed after AuthenticationMiddleware; ``request.user`` is read lazily, at the first write.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(self.get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        with in_request(request):
            return self.get_response(request)

    async def __acall__(self, request):
        with in_request(request):
            return await self.get_response(request)
