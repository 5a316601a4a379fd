/* propcols.h - etw._etw._collect_properties (propcols.c): the decoded
 * properties of a columnar pass's rows, per table, for etw.tables. */
#ifndef ETWPY_PROPCOLS_H
#define ETWPY_PROPCOLS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* _collect_properties(events, file_offsets, type_index, type_ids,
 * type_providers, key_of_type, nkeys) -> list of nkeys tuples (values, big,
 * uuids) per table: values = {name: [value per row of the table]}, big = the
 * names with an int above 2**63 - 1, uuids = the names with a uuid.UUID value.
 *   events: an iterator of etw.Event in the columnar pass's row order;
 *   file_offsets: uint64 per row; type_index: int32 per row (0..ntypes-1);
 *   type_ids: uint32 per type; type_providers: 16 bytes per type (uuid.bytes);
 *   key_of_type: int32 per type (0..nkeys-1).
 * Row i is the next event at file_offsets[i] with its type's id and provider;
 * a table's rows are its rows in order, and a value missing from a row is
 * None. Returns a new reference, or NULL with an exception (TypeError,
 * ValueError for arrays that disagree, MemoryError, the iterator's errors,
 * KeyboardInterrupt). */
PyObject *etwpy_collect_properties(PyObject *module, PyObject *args);

#endif /* ETWPY_PROPCOLS_H */
