"""Install what Home Assistant would pip-install at its first start, before it starts.

Run with the venv's Python: `python hass_requirements.py CONFIG_DIR [DOMAIN...]`. Home Assistant
installs the requirements of the integrations it sets up when it first sets them up; scripts/e2e
runs it where only loopback exists, so they must be there beforehand. This resolves, with Home
Assistant's own loader and requirements manager, the integrations every start sets up (its
bootstrap lists), the login providers and multi-factor modules, those onboarding adds, the
config's custom integrations and DOMAIN..., with their dependencies, and installs their
requirements into the running venv.
"""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
import sys
from pathlib import Path

from homeassistant import bootstrap, loader, requirements
from homeassistant.auth import mfa_modules, providers
from homeassistant.core import HomeAssistant

# What finishing onboarding's core_config step sets up (homeassistant/components/onboarding).
ONBOARDING_DOMAINS = frozenset({"google_translate", "met", "radio_browser", "shopping_list"})


def startup_domains() -> set[str]:
    """The integrations Home Assistant sets up on every start, from its bootstrap."""
    return {
        *bootstrap.CORE_INTEGRATIONS,
        *bootstrap.LOGGING_AND_HTTP_DEPS_INTEGRATIONS,
        *bootstrap.FRONTEND_INTEGRATIONS,
        *bootstrap.DEFAULT_INTEGRATIONS,
    }


async def install(config_dir: Path, extra: list[str]) -> int:
    """Install every requirement; returns how many integrations were resolved."""
    hass = HomeAssistant(str(config_dir))
    loader.async_setup(hass)
    custom = await loader.async_get_custom_components(hass)
    domains = startup_domains() | ONBOARDING_DOMAINS | set(custom) | set(extra)
    for domain in sorted(domains):
        await requirements.async_get_integration_with_requirements(hass, domain)
    # The core loads the login providers and multi-factor modules (totp by default) at start too.
    for package in (mfa_modules, providers):
        for module_info in pkgutil.iter_modules(package.__path__):
            name = f"{package.__name__}.{module_info.name}"
            module = importlib.import_module(name)
            if needed := getattr(module, "REQUIREMENTS", None):
                await requirements.async_process_requirements(hass, name, needed)
    await hass.async_stop(force=True)
    return len(domains)


def main() -> int:
    """Entry point."""
    if len(sys.argv) < 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    count = asyncio.run(install(Path(sys.argv[1]), sys.argv[2:]))
    print(f"requirements of {count} integrations (and their dependencies) installed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
