/* wevt_py.c - the binding of the compiled-manifest and in-band manifest code:
 * _wevt_to_blobs (CRIM + MESSAGETABLE -> TRACE_EVENT_INFO / EVENT_MAP_INFO
 * blobs, what etw.Schemas feeds to a trace), _schema_roundtrip (test hook:
 * parse a blob with the C parser and write it again), _inband_scan (a C-only
 * pass collecting the EventSource manifests a file carries) and
 * etwpy_inband_take_list (for the Trace: hand over completed manifests). */
#include "etwpy.h"

#include "../core/inband.h"

/* Declarations (module.c registers the first three; trace code may use the
 * last). */
PyObject *etwpy_wevt_to_blobs(PyObject *module, PyObject *args);
PyObject *etwpy_schema_roundtrip(PyObject *module, PyObject *args);
PyObject *etwpy_inband_scan(PyObject *module, PyObject *args);
PyObject *etwpy_inband_take_list(etwpy_state *st, etw_inband *c);

typedef struct blob_sink {
    PyObject *list;
    PyObject *tei_str, *emi_str;
} blob_sink;

/* Appends (kind, bytes) to the list. Returns 0 or -1 with an exception. */
static int append_blob(blob_sink *bs, PyObject *kind, const uint8_t *head, size_t head_len,
                       const uint8_t *p, size_t n) {
    PyObject *b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(head_len + n)), *t;
    int r;
    if (!b) return -1;
    if (head_len) memcpy(PyBytes_AS_STRING(b), head, head_len);
    memcpy(PyBytes_AS_STRING(b) + head_len, p, n);
    t = PyTuple_Pack(2, kind, b);
    Py_DECREF(b);
    if (!t) return -1;
    r = PyList_Append(bs->list, t);
    Py_DECREF(t);
    return r;
}

/* Sink callbacks: a Python exception is signalled with ETW_ERR_ARG. */
static int sink_schema(void *ctx, etw_schema *s) {
    blob_sink *bs = (blob_sink *)ctx;
    uint8_t *out = NULL;
    size_t n = 0;
    int rc = etw_schema_to_tei(s, &out, &n);
    free(s);
    if (rc != ETW_OK) {
        if (rc == ETW_ERR_NOMEM) PyErr_NoMemory();
        else PyErr_SetString(PyExc_ValueError, "schema could not be serialized");
        return ETW_ERR_ARG;
    }
    rc = append_blob(bs, bs->tei_str, NULL, 0, out, n) < 0 ? ETW_ERR_ARG : ETW_OK;
    free(out);
    return rc;
}

static int sink_map(void *ctx, etw_map *m) {
    blob_sink *bs = (blob_sink *)ctx;
    uint8_t *out = NULL, guid[16];
    size_t n = 0;
    int rc = etw_map_to_emi(m, &out, &n);
    /* The registry form: provider GUID in Windows byte order, then the blob. */
    guid[0] = (uint8_t)m->provider_id.data1;
    guid[1] = (uint8_t)(m->provider_id.data1 >> 8);
    guid[2] = (uint8_t)(m->provider_id.data1 >> 16);
    guid[3] = (uint8_t)(m->provider_id.data1 >> 24);
    guid[4] = (uint8_t)m->provider_id.data2;
    guid[5] = (uint8_t)(m->provider_id.data2 >> 8);
    guid[6] = (uint8_t)m->provider_id.data3;
    guid[7] = (uint8_t)(m->provider_id.data3 >> 8);
    memcpy(guid + 8, m->provider_id.data4, 8);
    free(m);
    if (rc != ETW_OK) {
        PyErr_NoMemory();
        return ETW_ERR_ARG;
    }
    rc = append_blob(bs, bs->emi_str, guid, 16, out, n) < 0 ? ETW_ERR_ARG : ETW_OK;
    free(out);
    return rc;
}

/* _wevt_to_blobs(crim, msgtable=None) -> [("tei"|"emi", bytes), ...]
 * Maps come first per provider, then its events. "emi" blobs carry the
 * provider GUID (16 bytes, Windows layout) before the EVENT_MAP_INFO, as
 * Trace._registry_add("emi", ...) takes them. Raises EtlFormatError when the
 * template is malformed. */
PyObject *etwpy_wevt_to_blobs(PyObject *module, PyObject *args) {
    etwpy_state *st = (etwpy_state *)PyModule_GetState(module);
    Py_buffer crim, mt = {0};
    PyObject *mt_obj = Py_None;
    blob_sink bs;
    etw_wevt_sink sink;
    etw_error e;
    int rc;
    if (!PyArg_ParseTuple(args, "y*|O:_wevt_to_blobs", &crim, &mt_obj)) return NULL;
    if (mt_obj != Py_None && PyObject_GetBuffer(mt_obj, &mt, PyBUF_SIMPLE) < 0) {
        PyBuffer_Release(&crim);
        return NULL;
    }
    memset(&e, 0, sizeof e);
    bs.list = PyList_New(0);
    bs.tei_str = PyUnicode_FromString("tei");
    bs.emi_str = PyUnicode_FromString("emi");
    if (!bs.list || !bs.tei_str || !bs.emi_str) {
        rc = ETW_ERR_ARG;
        goto done;
    }
    sink.ctx = &bs;
    sink.schema = sink_schema;
    sink.map = sink_map;
    rc = etw_wevt_parse((const uint8_t *)crim.buf, (size_t)crim.len,
                        mt.buf ? (const uint8_t *)mt.buf : NULL, mt.buf ? (size_t)mt.len : 0, &sink,
                        &e);
done:
    PyBuffer_Release(&crim);
    if (mt.buf) PyBuffer_Release(&mt);
    Py_XDECREF(bs.tei_str);
    Py_XDECREF(bs.emi_str);
    if (rc < 0) {
        Py_XDECREF(bs.list);
        if (PyErr_Occurred()) return NULL;
        if (rc == ETW_ERR_ARG) etw_error_set(&e, ETW_ERR_ARG, 0, "bad argument");
        else if (!e.code) etw_error_set(&e, rc, 0, "compiled manifest could not be read");
        return etwpy_raise(st, &e, NULL);
    }
    return bs.list;
}

/* _schema_roundtrip(kind, blob) -> bytes: parses a "tei" or "emi" (GUID +
 * EVENT_MAP_INFO) blob with the C parser the registry uses and serializes the
 * result again (same form). Test hook for the canonical layout. */
PyObject *etwpy_schema_roundtrip(PyObject *module, PyObject *args) {
    etwpy_state *st = (etwpy_state *)PyModule_GetState(module);
    const char *kind;
    Py_buffer blob;
    etw_error e;
    uint8_t *out = NULL;
    size_t n = 0;
    int rc = ETW_ERR_ARG;
    PyObject *res = NULL;
    if (!PyArg_ParseTuple(args, "sy*:_schema_roundtrip", &kind, &blob)) return NULL;
    memset(&e, 0, sizeof e);
    if (!strcmp(kind, "tei")) {
        etw_schema *s = etw_schema_from_tei((const uint8_t *)blob.buf, (size_t)blob.len, &rc, &e);
        if (s) {
            rc = etw_schema_to_tei(s, &out, &n);
            free(s);
        }
        if (rc == ETW_OK) res = PyBytes_FromStringAndSize((const char *)out, (Py_ssize_t)n);
    } else if (!strcmp(kind, "emi")) {
        if (blob.len < 16) {
            rc = etw_error_set(&e, ETW_ERR_FORMAT, 0, "map blob shorter than its GUID");
        } else {
            etw_guid g = etw_guid_load((const uint8_t *)blob.buf);
            etw_map *m = etw_map_from_emi(&g, (const uint8_t *)blob.buf + 16,
                                          (size_t)blob.len - 16, &rc, &e);
            if (m) {
                rc = etw_map_to_emi(m, &out, &n);
                free(m);
            }
            if (rc == ETW_OK) {
                res = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n + 16));
                if (res) {
                    memcpy(PyBytes_AS_STRING(res), blob.buf, 16);
                    memcpy(PyBytes_AS_STRING(res) + 16, out, n);
                }
            }
        }
    } else {
        PyBuffer_Release(&blob);
        PyErr_Format(PyExc_ValueError, "unknown schema blob kind '%s'", kind);
        return NULL;
    }
    PyBuffer_Release(&blob);
    free(out);
    if (rc < 0) {
        if (!e.code) etw_error_set(&e, rc, 0, "schema blob could not be converted");
        return etwpy_raise(st, &e, NULL);
    }
    return res;
}

PyObject *etwpy_inband_take_list(etwpy_state *st, etw_inband *c) {
    PyObject *list = PyList_New(0);
    etw_inband_manifest m[8];
    size_t n, i;
    if (!list) return NULL;
    while ((n = etw_inband_take(c, m, 8)) > 0) {
        for (i = 0; i < n; i++) {
            PyObject *u = list ? etwpy_uuid(st, &m[i].provider) : NULL;
            PyObject *b = u ? PyBytes_FromStringAndSize((const char *)m[i].data,
                                                        (Py_ssize_t)m[i].len)
                            : NULL;
            PyObject *t = b ? PyTuple_Pack(2, u, b) : NULL;
            Py_XDECREF(u);
            Py_XDECREF(b);
            if (!t || PyList_Append(list, t) < 0) Py_CLEAR(list);
            Py_XDECREF(t);
            etw_inband_manifest_clear(&m[i]);
        }
    }
    return list;
}

/* _inband_scan(path) -> [(uuid.UUID provider, bytes manifest), ...]: reads the
 * whole file in file order on this thread (GIL released) and returns every
 * distinct EventSource manifest it carries, in the order they complete.
 * Damaged records are skipped. */
PyObject *etwpy_inband_scan(PyObject *module, PyObject *args) {
    etwpy_state *st = (etwpy_state *)PyModule_GetState(module);
    PyObject *path, *pathb, *res;
    etw_reader_options opt;
    etw_reader *r = NULL;
    etw_inband *c;
    etw_error e;
    int rc;
    if (!PyArg_ParseTuple(args, "O:_inband_scan", &path)) return NULL;
    pathb = etwpy_path_bytes(path);
    if (!pathb) return NULL;
    c = etw_inband_new();
    if (!c) {
        Py_DECREF(pathb);
        return PyErr_NoMemory();
    }
    memset(&e, 0, sizeof e);
    memset(&opt, 0, sizeof opt);
    opt.order = ETW_ORDER_FILE;
    opt.skip_errors = 1;
    Py_BEGIN_ALLOW_THREADS
    rc = etw_reader_open(PyBytes_AS_STRING(pathb), &opt, &r, &e);
    if (rc == ETW_OK) {
        const etw_record *rec;
        while ((rc = etw_reader_next(r, &rec, &e)) == 1) {
            if (etw_inband_observe(c, rec) == ETW_ERR_NOMEM) {
                rc = etw_error_set(&e, ETW_ERR_NOMEM, 0, "out of memory");
                break;
            }
        }
        if (rc == ETW_ERR_TRUNCATED) rc = 0; /* keep what came before the cut */
        etw_reader_close(r);
    }
    Py_END_ALLOW_THREADS
    Py_DECREF(pathb);
    if (rc < 0) {
        etw_inband_free(c);
        return etwpy_raise(st, &e, path);
    }
    res = etwpy_inband_take_list(st, c);
    etw_inband_free(c);
    return res;
}
