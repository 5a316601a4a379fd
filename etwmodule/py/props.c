/* props.c - the payload properties of an event, as a dict. Events logged
 * with EventWriteString (STRING_ONLY) carry one UTF-16 string; the schema
 * decoders (TraceLogging, injected schemas, kernel tables, manifests) plug
 * in here. */
#include "etwpy.h"

static PyObject *utf16_string(const uint8_t *p, size_t len) {
    size_t n = 0;
    int byteorder = -1; /* little endian */
    while (n + 1 < len && (p[n] | p[n + 1])) n += 2;
    /* surrogatepass keeps unpaired surrogates instead of failing. */
    return PyUnicode_DecodeUTF16((const char *)p, (Py_ssize_t)n, "surrogatepass", &byteorder);
}

PyObject *etwpy_event_properties(EventObject *ev) {
    const etw_record *rec = ev->rec;
    PyObject *d = PyDict_New();
    if (!d) return NULL;
    if (rec->kind == ETW_KIND_MANIFEST && (rec->flags & ETW_EHF_STRING_ONLY)) {
        PyObject *s = utf16_string(rec->user_data, rec->user_data_length);
        if (!s || PyDict_SetItemString(d, "String", s) < 0) {
            Py_XDECREF(s);
            Py_DECREF(d);
            return NULL;
        }
        Py_DECREF(s);
    }
    return d;
}
