from django.urls import path

from uprwatch.assistant.views import mcp_endpoint

app_name = "assistant"
urlpatterns = [path("mcp/", mcp_endpoint, name="mcp")]
