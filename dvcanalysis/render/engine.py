"""The papermill engine used by the workers: nbclient with an explicit kernel env and cwd.

Importing this module registers :class:`Engine` with papermill as :data:`ENGINE_NAME`
(as papermill registers its own engines), so it imports papermill, nbclient and
jupyter_client: the workers import it (:func:`dvcanalysis.render.worker.warm_up`),
the render process does not. Also a kernel client that waits less for IOPub once the
kernel is ready, and the kernel's peak memory (``VmHWM``), read before the kernel
shuts down.

Kernel start cannot collide: on POSIX every kernel talks over Unix sockets
(jupyter's ``ipc`` transport) in a private temporary folder that also holds its
connection file (:mod:`dvcanalysis.render.kernel_dir`), so no TCP port is picked and
released (jupyter/jupyter_client#154, about 3 in 1,000 starts failed with "Address
already in use"). The kernel's stderr goes to a file in that folder; its last lines
are handed back in ``sink["kernel_stderr"]`` for the error message.
``sink["kernel_ready"]`` says whether the kernel answered ``kernel_info`` (the worker
retries once if not).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from queue import Empty
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args
from traitlets import default

from dvcanalysis.render import kernel_dir

#: the name the workers pass to ``papermill.execute_notebook(engine_name=...)``
ENGINE_NAME = "dvcanalysis"


def _kernel_peak_kb(km: Any) -> int | None:
    """Peak resident memory of the kernel process (Linux ``VmHWM``), read before it shuts down."""
    try:
        pid = km.provisioner.process.pid
        for row in Path(f"/proc/{pid}/status").read_text().splitlines():
            if row.startswith("VmHWM:"):
                return int(row.split()[1])
    except Exception:  # not Linux, or no local kernel process
        return None
    return None


class KernelClient(AsyncKernelClient):
    """jupyter_client's async kernel client, ready 0.2 s sooner (:meth:`wait_for_ready`)."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        """As jupyter_client's, but the last drain of IOPub waits 20 ms, not 200 ms.

        The kernel is ready once it answered ``kernel_info`` on the shell channel
        and IOPub delivered a message (so no output is lost); what is still
        queued on IOPub then is status chatter that nbclient ignores anyway
        (it matches replies by parent id). Saves 0.2 s per notebook.
        """
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                msg = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                pass
            else:
                if msg["msg_type"] == "kernel_info_reply":
                    try:
                        await self.iopub_channel.get_msg(timeout=0.2)
                    except Empty:
                        pass  # IOPub not connected yet: ask again
                    else:
                        self._handle_kernel_info_reply(msg)
                        break
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=0.02)
            except Empty:
                break


class KernelManager(AsyncKernelManager):
    """Over Unix sockets in :attr:`private_dir` on POSIX (set per run by the engine)."""

    private_dir: str | None = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.private_dir is not None and os.name == "posix":
            self.transport = "ipc"
            self.connection_file = os.path.join(self.private_dir, "kernel.json")
            self.ip = os.path.join(self.private_dir, "k")

    @default("client_factory")
    def _client_factory_default(self):
        return KernelClient


class Client(PapermillNotebookClient):
    """papermill's notebook client, reporting into :attr:`sink` (set per run by the engine):
    ``kernel_ready``, ``cell`` (the running cell of the source notebook) and
    ``kernel_peak_kb``; ``sink["prepare_km"]``, if set, prepares the kernel manager, and
    ``sink["on_cell"]``, if set, is called with each cell's index as it starts."""

    sink: dict = {}

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        prepare = self.sink.get("prepare_km")  # warm kernels (render/warm.py)
        if prepare is not None:
            prepare(km)
        return km

    def papermill_execute_cells(self):
        try:
            super().papermill_execute_cells()
        finally:
            self.sink["kernel_peak_kb"] = _kernel_peak_kb(self.km)

    # the kernel answered kernel_info: from here on a failure is the notebook's,
    # not the start's (papermill calls the sync wrapper, nbclient's async code the other)
    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        self.sink["kernel_ready"] = True
        return kc

    def start_new_kernel_client(self):
        kc = super().start_new_kernel_client()
        self.sink["kernel_ready"] = True
        return kc

    def execute_cell(self, cell, cell_index, *args, **kwargs):
        # the index in the source notebook (papermill's injected cell not counted),
        # so that a timeout or a dead kernel is also pinned to its cell
        if "injected-parameters" not in cell.get("metadata", {}).get("tags", []):
            self.sink["cell"] = self.sink.get("cell", -1) + 1
            on_cell = self.sink.get("on_cell")  # the worker tells the render process
            if on_cell is not None:
                on_cell(self.sink["cell"])
        return super().execute_cell(cell, cell_index, *args, **kwargs)


class Engine(NBClientEngine):
    """nbclient with an explicit kernel env and cwd (no ``os.environ`` or ``chdir``, so it is
    safe in threads), that hands back the notebook in ``sink["nb"]`` even when a cell fails."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        kernel_env=None,
        kernel_cwd=None,
        sink=None,
        **kwargs,
    ):
        sink = {} if sink is None else sink
        sink["nb"] = nb_man.nb
        private = kernel_dir.private_dir()
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final = merge_kwargs(
            safe_kwargs,
            timeout=execution_timeout or kwargs.get("timeout"),
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
            kernel_manager_class=type("KernelManager", (KernelManager,), {"private_dir": private}),
        )
        client = Client(nb_man, **final)
        client.sink = sink
        start = {}
        if kernel_env is not None:
            start["env"] = kernel_env
        if kernel_cwd is not None:
            start["cwd"] = kernel_cwd
        # the kernel process's own stderr carries only start-up chatter and the
        # reason it died (cell output travels over the messaging channels)
        err_path = os.path.join(private, "stderr.txt")
        try:
            with open(err_path, "wb") as err:
                start["stderr"] = err
                return client.execute(**start)
        finally:
            sink["kernel_stderr"] = kernel_dir.tail(err_path)
            shutil.rmtree(private, ignore_errors=True)


papermill_engines.register(ENGINE_NAME, Engine)
