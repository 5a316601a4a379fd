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

/* _remap_i32(index, table) -> (values: bytes, validity: bytes | None, nulls: int):
 * values[i] = table[index[i]] for the int32 arrays index and table (buffers);
 * a negative table entry or an index outside the table gives a null (0 in
 * values, a clear bit in the Arrow validity bitmap, which is None when nothing
 * is null). Returns a new reference, or NULL with an exception (TypeError,
 * ValueError for buffers that are not whole int32 arrays, MemoryError). */
PyObject *etwpy_remap_i32(PyObject *module, PyObject *args);

#endif /* ETWPY_COLUMNS_PY_H */
