"""API request/response schemas (pydantic), one module per aggregate so each function
builds only the models it serves."""
