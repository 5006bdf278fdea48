"""A papermill engine that reuses one warm kernel for many accounts.

Starting a kernel and importing pandas, matplotlib and cskit costs seconds;
running one account's workbook, a fraction of that. The ``cskit-warm``
engine keeps one kernel per worker process and, before each notebook,
puts it back in the state of a fresh kernel: the user namespace and the
execution counter are cleared (``InteractiveShell.reset``), and pandas
options, matplotlib settings, warning filters, the working folder and the
environment are restored from a snapshot taken when the kernel started.
Everything else is papermill's own: the parameters cell, the injected
parameters, the executed notebook as the record of the run.

A kernel that died, timed out or failed to reset is replaced by a new one
before the next notebook.

Limitations
-----------
State a workbook leaves outside what is restored (a library patched at
run time, a module-level cache of a third-party package) would carry over
to the next account; cskit's workbooks only call cskit functions, and a
test compares warm runs with fresh-kernel runs.
"""

from __future__ import annotations

import logging
import multiprocessing.util

from jupyter_client.manager import KernelManager
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import Engine, papermill_engines

__all__ = ["WarmKernelEngine", "ENGINE_NAME", "shutdown_warm_kernel"]

logger = logging.getLogger(__name__)

ENGINE_NAME = "cskit-warm"

_SNAPSHOT = """
def __cskit_snapshot():
    import os, sys, warnings
    import matplotlib
    return {
        "cwd": os.getcwd(),
        "environ": dict(os.environ),
        "warnings": list(warnings.filters),
        "rc": matplotlib.rcParams.copy(),
        "modules": set(sys.modules),
    }
import builtins as __cskit_builtins
__cskit_builtins.__cskit_state__ = __cskit_snapshot()
del __cskit_snapshot, __cskit_builtins
"""

_RESET = """
def __cskit_reset():
    import builtins, os, sys, warnings
    import matplotlib
    import matplotlib.pyplot
    state = builtins.__cskit_state__
    matplotlib.pyplot.close("all")
    os.chdir(state["cwd"])
    os.environ.clear()
    os.environ.update(state["environ"])
    warnings.filters[:] = state["warnings"]
    matplotlib.rcParams.update(state["rc"])
    if "pandas" in sys.modules:
        sys.modules["pandas"].reset_option("all")
    get_ipython().reset(new_session=True)
__cskit_reset()
"""

_warm: dict = {}


class WarmKernelEngine(Engine):
    """Papermill engine executing notebooks in this process's warm kernel."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        start_timeout=60,
        execution_timeout=None,
        **kwargs,
    ):
        """Execute the parameterized notebook in the warm kernel.

        The signature is papermill's; ``execution_timeout`` is the per-cell
        limit in seconds.
        """
        km, kc = _kernel(kernel_name, start_timeout)
        client = PapermillNotebookClient(
            nb_man,
            km=km,
            kernel_name=kernel_name,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            log=logger,
            log_output=log_output,
            interrupt_on_timeout=False,
        )
        client.kc = kc
        try:
            return client.execute(cwd=kwargs.get("cwd"))
        except BaseException:
            shutdown_warm_kernel()
            raise
        finally:
            if nb_man.nb.metadata.papermill.get("exception"):
                # A failed cell may leave the kernel busy or broken: start afresh.
                shutdown_warm_kernel()


def _kernel(kernel_name: str, start_timeout: float):
    """Return this process's warm kernel, reset; start one if needed."""
    km, kc = _warm.get("km"), _warm.get("kc")
    if km is not None and (_warm["name"] != kernel_name or not km.is_alive()):
        shutdown_warm_kernel()
        km = None
    if km is None:
        return _start(kernel_name, start_timeout)
    try:
        _run(kc, _RESET, timeout=30)
    except Exception as error:  # noqa: BLE001 - any failure means a new kernel
        logger.warning("warm kernel could not be reset (%s); starting a new one", error)
        shutdown_warm_kernel()
        return _start(kernel_name, start_timeout)
    return km, kc


def _start(kernel_name: str, start_timeout: float):
    km = KernelManager(kernel_name=kernel_name)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=start_timeout)
    kc.allow_stdin = False
    _run(kc, _SNAPSHOT, timeout=start_timeout)
    _run(kc, _RESET, timeout=start_timeout)
    _warm.update(km=km, kc=kc, name=kernel_name)
    if not _warm.get("finalizer"):
        _warm["finalizer"] = multiprocessing.util.Finalize(
            None, shutdown_warm_kernel, exitpriority=10
        )
    return km, kc


def _run(kc, code: str, *, timeout: float) -> None:
    """Run housekeeping code without history; raise if it fails."""
    reply = kc.execute_interactive(
        code, store_history=False, silent=True, timeout=timeout, output_hook=_ignore
    )
    if reply["content"]["status"] != "ok":
        content = reply["content"]
        raise RuntimeError(f"{content.get('ename')}: {content.get('evalue')}")


def _ignore(message) -> None:
    return None


def shutdown_warm_kernel() -> None:
    """Stop this process's warm kernel, if there is one."""
    km, kc = _warm.pop("km", None), _warm.pop("kc", None)
    if kc is not None:
        kc.stop_channels()
    if km is not None:
        try:
            km.shutdown_kernel(now=True)
        except Exception as error:  # noqa: BLE001 - it may be dead already
            logger.debug("kernel shutdown: %s", error)


papermill_engines.register(ENGINE_NAME, WarmKernelEngine)
