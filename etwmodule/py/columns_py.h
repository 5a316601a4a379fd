/* columns_py.h - etw._etw._columns (columns_py.c): the columnar pass of
 * core/columns.c for Python. */
#ifndef ETWPY_COLUMNS_PY_H
#define ETWPY_COLUMNS_PY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* _columns(path, *, order, errors, columns, providers, ids, pids, kinds,
 * start_ns, end_ns, threads, engine, range, trace, progress) -> dict.
 * Returns a new reference, or NULL with an exception (EtlFormatError,
 * OSError, ValueError, TypeError, MemoryError, KeyboardInterrupt...). */
PyObject *etwpy_columns(PyObject *module, PyObject *args, PyObject *kwargs);

#endif /* ETWPY_COLUMNS_PY_H */
