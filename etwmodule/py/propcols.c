/* propcols.c - etw._etw._collect_properties(): the decoded properties of the
 * rows of a columnar pass (etw.tables), gathered per table from the events of
 * a trace iterator in one C loop: no dict per row and no Python-level loop per
 * value. The values are the events' own mapping values (Event.items()), so a
 * table column holds exactly what ev[name] gives. */
#include "propcols.h"

#include <string.h>

#include "etwpy.h"

/* A private copy of a buffer argument that holds whole items of `item`
 * bytes: the caller's buffer may be writable and change while Python code
 * runs (the iterator, schema hooks, finalizers), and may be unaligned.
 * Returns the copy (PyMem; NULL for an empty buffer) and its item count in
 * *n, or sets an exception, *n = -1, and returns NULL. */
static void *copy_items(PyObject *o, Py_ssize_t item, const char *what, Py_ssize_t *n) {
    Py_buffer view;
    void *copy = NULL;
    *n = -1;
    if (PyObject_GetBuffer(o, &view, PyBUF_SIMPLE) < 0) return NULL;
    if (view.len % item) {
        PyErr_Format(PyExc_ValueError, "_collect_properties: %s is not an array of %zd-byte "
                     "items", what, item);
    } else if (view.len && !(copy = PyMem_Malloc((size_t)view.len))) {
        PyErr_NoMemory();
    } else {
        if (view.len) memcpy(copy, view.buf, (size_t)view.len);
        *n = view.len / item;
    }
    PyBuffer_Release(&view);
    return copy;
}

/* The list of row values of `name` in a table: made on first use, filled
 * with None. Returns a borrowed reference, or NULL with an exception. */
static PyObject *column_of(PyObject *table, PyObject *name, Py_ssize_t rows) {
    PyObject *lst = PyDict_GetItemWithError(table, name);
    if (lst || PyErr_Occurred()) return lst;
    lst = PyList_New(rows);
    if (!lst) return NULL;
    for (Py_ssize_t i = 0; i < rows; i++) PyList_SET_ITEM(lst, i, Py_NewRef(Py_None));
    if (PyDict_SetItem(table, name, lst) < 0) {
        Py_DECREF(lst);
        return NULL;
    }
    Py_DECREF(lst); /* the table holds it */
    return lst;
}

/* The decoded properties of ev (its cached mapping), a borrowed reference;
 * NULL with no exception when decoding failed with an ordinary error (the
 * row's properties stay None, as Event.items() raising would leave them), or
 * NULL with an exception that must propagate (KeyboardInterrupt, ...). */
static PyObject *event_props(EventObject *ev) {
    if (etwpy_event_props(ev)) return ev->props;
    if (PyErr_ExceptionMatches(PyExc_Exception)) PyErr_Clear();
    return NULL;
}

PyObject *etwpy_collect_properties(PyObject *module, PyObject *args) {
    etwpy_state *st = (etwpy_state *)PyModule_GetState(module);
    PyObject *it, *offsets_o, *tidx_o, *ids_o, *provs_o, *keys_o, *out = NULL, *ev_o = NULL;
    uint64_t *off = NULL;
    int32_t *ti = NULL, *ko = NULL;
    uint32_t *tid = NULL;
    uint8_t *pv = NULL;
    Py_ssize_t nkeys, nrows, ntypes, n_ti, n_pv, n_ko, row = 0, *rank = NULL, *count = NULL;
    unsigned long seen = 0;
    if (!PyArg_ParseTuple(args, "OOOOOOn:_collect_properties", &it, &offsets_o, &tidx_o,
                          &ids_o, &provs_o, &keys_o, &nkeys))
        return NULL;
    if (!PyIter_Check(it)) {
        PyErr_SetString(PyExc_TypeError, "_collect_properties: an iterator of events expected");
        return NULL;
    }
    off = (uint64_t *)copy_items(offsets_o, 8, "file_offsets", &nrows);
    if (nrows < 0) goto done;
    ti = (int32_t *)copy_items(tidx_o, 4, "type indices", &n_ti);
    if (n_ti < 0) goto done;
    tid = (uint32_t *)copy_items(ids_o, 4, "type ids", &ntypes);
    if (ntypes < 0) goto done;
    pv = (uint8_t *)copy_items(provs_o, 16, "type providers", &n_pv);
    if (n_pv < 0) goto done;
    ko = (int32_t *)copy_items(keys_o, 4, "key_of_type", &n_ko);
    if (n_ko < 0) goto done;
    if (n_ti != nrows || n_pv != ntypes || n_ko != ntypes || nkeys < 0) {
        PyErr_SetString(PyExc_ValueError, "_collect_properties: array lengths disagree");
        goto done;
    }
    for (Py_ssize_t t = 0; t < ntypes; t++)
        if (ko[t] < 0 || ko[t] >= nkeys) {
            PyErr_SetString(PyExc_ValueError, "_collect_properties: key out of range");
            goto done;
        }
    for (Py_ssize_t i = 0; i < nrows; i++)
        if (ti[i] < 0 || ti[i] >= ntypes) {
            PyErr_SetString(PyExc_ValueError, "_collect_properties: type out of range");
            goto done;
        }
    rank = PyMem_Calloc((size_t)nkeys + 1, sizeof *rank);
    count = PyMem_Calloc((size_t)nkeys + 1, sizeof *count);
    if (!rank || !count) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < nrows; i++) count[ko[ti[i]]]++;
    if (!(out = PyList_New(nkeys))) goto done;
    for (Py_ssize_t k = 0; k < nkeys; k++) {
        PyObject *t = Py_BuildValue("(NNN)", PyDict_New(), PySet_New(NULL), PySet_New(NULL));
        if (!t) goto fail;
        PyList_SET_ITEM(out, k, t);
    }

    /* Rows and events in the same order: each row is the next event at its
     * file position with its type's id and provider (as the Python matching
     * this replaces), so equal positions cannot mix up. */
    while (row < nrows && (ev_o = PyIter_Next(it)) != NULL) {
        EventObject *ev = (EventObject *)ev_o;
        const etw_record *r;
        uint8_t g[16];
        int32_t t, k;
        PyObject *props, *table, *name, *value;
        Py_ssize_t pos = 0;
        if (Py_TYPE(ev_o) != st->EventType) {
            PyErr_SetString(PyExc_TypeError, "_collect_properties: the iterator gave a "
                            "non-event");
            goto fail;
        }
        if ((++seen & 4095) == 0 && PyErr_CheckSignals() < 0) goto fail;
        r = ev->rec;
        t = ti[row];
        etw_guid_to_bytes_be(&r->provider_id, g);
        if (r->file_offset + r->buffer_pos != off[row] || r->id != tid[t] ||
            memcmp(g, pv + 16 * t, 16) != 0) {
            Py_CLEAR(ev_o);
            continue;
        }
        k = ko[t];
        table = PyList_GET_ITEM(out, k);
        props = event_props(ev);
        if (!props && PyErr_Occurred()) goto fail;
        while (props && PyDict_Next(props, &pos, &name, &value)) {
            PyObject *lst = column_of(PyTuple_GET_ITEM(table, 0), name, count[k]), **slot, *old;
            if (!lst) goto fail;
            if (PyLong_CheckExact(value)) {
                int over = 0;
                (void)PyLong_AsLongLongAndOverflow(value, &over);
                if (over > 0 && PySet_Add(PyTuple_GET_ITEM(table, 1), name) < 0) goto fail;
            } else if ((PyObject *)Py_TYPE(value) == st->uuid_class &&
                       PySet_Add(PyTuple_GET_ITEM(table, 2), name) < 0) {
                goto fail;
            }
            slot = &((PyListObject *)lst)->ob_item[rank[k]];
            old = *slot;
            *slot = Py_NewRef(value);
            Py_DECREF(old); /* None: each row is set once */
        }
        rank[k]++;
        row++;
        Py_CLEAR(ev_o);
    }
    if (PyErr_Occurred()) goto fail;
    goto done;
fail:
    Py_XDECREF(ev_o);
    Py_CLEAR(out);
done:
    PyMem_Free(rank);
    PyMem_Free(count);
    PyMem_Free(off);
    PyMem_Free(ti);
    PyMem_Free(tid);
    PyMem_Free(pv);
    PyMem_Free(ko);
    return out;
}
