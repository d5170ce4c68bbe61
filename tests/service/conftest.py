import pytest

from sfasync_service import app


@pytest.fixture(autouse=True)
def _reset_app():
    yield
    app.configure()
