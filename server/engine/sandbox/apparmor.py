"""Ubuntu's AppArmor restriction of unprivileged user namespaces, which stops bwrap.

Ubuntu 23.10 and later (24.04 included) set ``kernel.apparmor_restrict_unprivileged_userns``
to 1: a program without an AppArmor profile that allows ``userns`` may create a user
namespace but holds no capability in it, so bwrap fails while setting up, with
messages such as "setting up uid map: Permission denied" or "loopback: Failed
RTM_NEWADDR: Operation not permitted". The server then falls back to the basic
backend; ``explain`` says why and names the two fixes.
"""

from __future__ import annotations

from pathlib import Path

SYSCTL = Path("/proc/sys/kernel/apparmor_restrict_unprivileged_userns")
# What bwrap prints when it holds no capability in its new user namespace.
SYMPTOMS = ("setting up uid map", "loopback: Failed RTM_NEWADDR", "Permission denied", "Operation not permitted",
            "No permissions to create new namespace")
FIX = (
    "Ubuntu's AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1), "
    "so bwrap cannot set up its sandbox. Either give bwrap an AppArmor profile that allows user namespaces: "
    "write /etc/apparmor.d/bwrap containing\n"
    "    abi <abi/4.0>,\n"
    "    include <tunables/global>\n"
    "    profile bwrap /usr/bin/bwrap flags=(unconfined) {\n"
    "      userns,\n"
    "    }\n"
    "and run `sudo systemctl reload apparmor`; or lift the restriction for the whole machine with "
    "`sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0` (docs/sandbox.md says more)."
)


def restricted(sysctl: Path | None = None) -> bool:
    """True where AppArmor restricts unprivileged user namespaces."""
    try:
        return (sysctl or SYSCTL).read_text().strip() == "1"
    except OSError:
        return False


def explain(bwrap_error: str, sysctl: Path | None = None) -> str | None:
    """Why bwrap failed, with the fix, if AppArmor's restriction is the cause; else None."""
    if restricted(sysctl) and any(symptom in bwrap_error for symptom in SYMPTOMS):
        return f"bwrap does not work here: {bwrap_error.strip()}. {FIX}"
    return None
