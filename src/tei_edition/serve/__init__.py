"""``tei-edition serve BUILD``: the static edition and a DTS 1.0 API (Starlette + uvicorn)."""
