"""The getting-started guide's examples: curl and Python (httpx) against this server.

Each example has an id that the page carries (``data-example``), so a test can take
every example from the rendered page, run it against a live server and check what it
prints (``tests/system/test_docs_examples.py``): the guide cannot drift from the
platform. Examples read keys from environment variables, as the guide tells people to.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# The variables the examples read keys from (the Python client reads the first too).
LIVE_KEY_VARIABLE = "APPRENTICESHIPS_API_KEY"
SANDBOX_KEY_VARIABLE = "APPRENTICESHIPS_SANDBOX_API_KEY"


class Language(StrEnum):
    SHELL = "shell"
    PYTHON = "python"


@dataclass(frozen=True, slots=True)
class Example:
    id: str
    language: Language
    code: str

    @property
    def label(self) -> str:
        return "curl" if self.language is Language.SHELL else "Python (httpx)"


@dataclass(frozen=True, slots=True)
class Versions:
    """The Display advert API versions the examples call: ``current`` in general, and
    in the versions example ``shown``, a deprecated one when there is one (to show the
    headers it sends)."""

    current: int
    shown: int
    deprecated: bool


def examples(public_url: str, versions: Versions) -> dict[str, Example]:
    """Every example of the guide, by id, calling the server at ``public_url``."""
    url = public_url.rstrip("/")
    live = f"${LIVE_KEY_VARIABLE}"
    sandbox = f"${SANDBOX_KEY_VARIABLE}"
    v = versions.current
    found = [
        Example(
            "first-call-curl",
            Language.SHELL,
            f'curl -sS "{url}/vacancies/referencedata/courses/routes" \\\n'
            f'  -H "Ocp-Apim-Subscription-Key: {live}" \\\n'
            f'  -H "X-Version: {v}"',
        ),
        Example(
            "first-call-python",
            Language.PYTHON,
            "import os\n\nimport httpx\n\n"
            f'key = os.environ["{LIVE_KEY_VARIABLE}"]\n'
            "response = httpx.get(\n"
            f'    "{url}/vacancies/referencedata/courses/routes",\n'
            f'    headers={{"Ocp-Apim-Subscription-Key": key, "X-Version": "{v}"}},\n'
            ")\n"
            "response.raise_for_status()\n"
            'for route in response.json()["routes"]:\n'
            '    print(route["name"])',
        ),
        Example(
            "search-curl",
            Language.SHELL,
            f'curl -sS "{url}/vacancies/vacancy?PageSize=5&Sort=AgeAsc" \\\n'
            f'  -H "Ocp-Apim-Subscription-Key: {live}" \\\n'
            f'  -H "X-Version: {v}"',
        ),
        Example(
            "search-python",
            Language.PYTHON,
            "import os\n\nimport httpx\n\n"
            f'key = os.environ["{LIVE_KEY_VARIABLE}"]\n'
            "response = httpx.get(\n"
            f'    "{url}/vacancies/vacancy",\n'
            '    params={"PageSize": 5, "Sort": "AgeAsc"},\n'
            f'    headers={{"Ocp-Apim-Subscription-Key": key, "X-Version": "{v}"}},\n'
            ")\n"
            "response.raise_for_status()\n"
            'for advert in response.json()["vacancies"]:\n'
            '    print(advert["title"], "|", advert["employerName"], "|", advert["vacancyUrl"])',
        ),
        Example(
            "missing-key-curl",
            Language.SHELL,
            f'curl -sS "{url}/vacancies/vacancy" -H "X-Version: {v}"',
        ),
        Example(
            "missing-version-curl",
            Language.SHELL,
            f'curl -sS "{url}/vacancies/vacancy" \\\n  -H "Ocp-Apim-Subscription-Key: {live}"',
        ),
        Example(
            "versions-curl",
            Language.SHELL,
            # -D - prints the response headers, -o /dev/null drops the body.
            f'curl -sS -o /dev/null -D - "{url}/vacancies/vacancy?PageSize=1" \\\n'
            f'  -H "Ocp-Apim-Subscription-Key: {live}" \\\n'
            f'  -H "X-Version: {versions.shown}"',
        ),
        Example(
            "rate-limit-python",
            Language.PYTHON,
            "import os\n\nimport httpx\n\n"
            f'key = os.environ["{LIVE_KEY_VARIABLE}"]\n'
            "response = httpx.get(\n"
            f'    "{url}/vacancies/referencedata/courses/routes",\n'
            f'    headers={{"Ocp-Apim-Subscription-Key": key, "X-Version": "{v}"}},\n'
            ")\n"
            'print("RateLimit-Policy:", response.headers["RateLimit-Policy"])\n'
            'print("RateLimit:", response.headers["RateLimit"])',
        ),
        Example(
            "retry-curl",
            Language.SHELL,
            # curl retries a 429 after the Retry-After the response names; --fail keeps
            # the 429's body out of the output.
            f'curl -sS --fail --retry 3 "{url}/vacancies/referencedata/courses/routes" \\\n'
            f'  -H "Ocp-Apim-Subscription-Key: {live}" \\\n'
            f'  -H "X-Version: {v}"',
        ),
        Example(
            "retry-python",
            Language.PYTHON,
            "import os\nimport time\n\nimport httpx\n\n"
            f'key = os.environ["{LIVE_KEY_VARIABLE}"]\n'
            "client = httpx.Client(\n"
            f'    base_url="{url}",\n'
            f'    headers={{"Ocp-Apim-Subscription-Key": key, "X-Version": "{v}"}},\n'
            ")\n\n\n"
            "def get(path, params=None, attempts=3):\n"
            '    """GET a path; on 429, wait as long as Retry-After says, then try again."""\n'
            "    for _ in range(attempts):\n"
            "        response = client.get(path, params=params)\n"
            "        if response.status_code != 429:\n"
            "            response.raise_for_status()\n"
            "            return response.json()\n"
            '        time.sleep(int(response.headers["Retry-After"]))\n'
            '    raise RuntimeError(f"still rate limited after {attempts} attempts")\n\n\n'
            "for page in (1, 2, 3):\n"
            '    adverts = get("/vacancies/vacancy", {"PageNumber": page, "PageSize": 5})\n'
            '    print("page", page, "has", len(adverts["vacancies"]), "adverts")',
        ),
        Example(
            "sandbox-curl",
            Language.SHELL,
            f'curl -sS "{url}/sandbox/vacancies/vacancy?PageSize=3" \\\n'
            f'  -H "Ocp-Apim-Subscription-Key: {sandbox}" \\\n'
            f'  -H "X-Version: {v}"',
        ),
        Example(
            "sandbox-python",
            Language.PYTHON,
            "import os\n\nimport httpx\n\n"
            f'key = os.environ["{SANDBOX_KEY_VARIABLE}"]\n'
            "response = httpx.get(\n"
            f'    "{url}/sandbox/vacancies/vacancy",\n'
            '    params={"PageSize": 3},\n'
            f'    headers={{"Ocp-Apim-Subscription-Key": key, "X-Version": "{v}"}},\n'
            ")\n"
            "response.raise_for_status()\n"
            'print(response.json()["total"], "live adverts in the sandbox")',
        ),
        Example(
            "key-scan-shell",
            Language.SHELL,
            "grep -rnE 'appr_(live|sandbox)_[0-9A-Za-z]{38}' . || echo \"No API keys found\"",
        ),
    ]
    return {example.id: example for example in found}
