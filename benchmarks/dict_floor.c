/* dict_floor.c - what CPython itself needs to build (and free) one nested dict of
 * the shape Event.to_dict() returns (goetw's System layout: 13 dicts and a list),
 * built from C with interned keys and constant values: the lower bound under any
 * to_dict() that returns real dicts. Built and run by dict_floor.py. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

enum { N_KEYS = 32 };
static PyObject *key[N_KEYS];
static const char *const key_names[N_KEYS] = {
    "System", "Provider", "Name", "Guid", "EventName", "EventID", "Version", "Level",
    "Value", "Task", "Opcode", "Keywords", "Mask", "TimeCreated", "SystemTime",
    "Correlation", "ActivityID", "RelatedActivityID", "Execution", "ProcessID",
    "ThreadID", "ProcessorID", "KernelTime", "UserTime", "Channel", "EventData",
    "ExtendedData", "A", "B", "C", "D", "E"};

/* A new dict of n (key, value) pairs. */
static PyObject *dict_of(int n, ...) {
    va_list ap;
    PyObject *d = _PyDict_NewPresized(n);
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        PyObject *k = va_arg(ap, PyObject *), *v = va_arg(ap, PyObject *);
        PyDict_SetItem(d, k, v);
    }
    va_end(ap);
    return d;
}

/* Steals v into d[k]. */
static void put(PyObject *d, int k, PyObject *v) {
    PyDict_SetItem(d, key[k], v);
    Py_DECREF(v);
}

static PyObject *build(PyObject *pid, PyObject *small, PyObject *text, PyObject *guid,
                       PyObject *when) {
    PyObject *sys = _PyDict_NewPresized(13), *top, *ed, *lst = PyList_New(0);
    put(sys, 1, dict_of(2, key[2], text, key[3], guid));
    PyDict_SetItem(sys, key[4], text);
    PyDict_SetItem(sys, key[5], small);
    PyDict_SetItem(sys, key[6], small);
    put(sys, 7, dict_of(2, key[8], small, key[2], text));
    put(sys, 9, dict_of(2, key[8], small, key[2], text));
    put(sys, 10, dict_of(2, key[8], small, key[2], text));
    put(sys, 11, dict_of(2, key[12], text, key[2], lst));
    Py_DECREF(lst);
    put(sys, 13, dict_of(1, key[14], when));
    put(sys, 15, dict_of(2, key[16], Py_None, key[17], Py_None));
    put(sys, 18, dict_of(5, key[19], pid, key[20], pid, key[21], small, key[22], small,
                         key[23], small));
    put(sys, 24, dict_of(2, key[8], small, key[2], text));
    ed = dict_of(5, key[27], pid, key[28], small, key[29], text, key[30], small, key[31],
                 small);
    top = _PyDict_NewPresized(3);
    put(top, 0, sys);
    put(top, 25, ed);
    put(top, 26, PyDict_New());
    return top;
}

/* The same shape from templates (PyDict_Copy clones a dict's table without
 * hashing): the constant parts copied as they are, the others copied and their
 * per-event values set - how Event.to_dict() builds it. */
static PyObject *tpl[16];

static PyObject *copy_build(PyObject *pid, PyObject *when) {
    PyObject *sys = PyDict_Copy(tpl[0]), *top = PyDict_Copy(tpl[1]), *t;
    put(sys, 1, PyDict_Copy(tpl[2]));
    put(sys, 7, PyDict_Copy(tpl[3]));
    put(sys, 9, PyDict_Copy(tpl[3]));
    put(sys, 10, PyDict_Copy(tpl[3]));
    t = PyDict_Copy(tpl[4]);
    put(t, 2, PyList_New(0));
    put(sys, 11, t);
    t = PyDict_Copy(tpl[5]);
    PyDict_SetItem(t, key[14], when);
    put(sys, 13, t);
    put(sys, 15, PyDict_Copy(tpl[6]));
    t = PyDict_Copy(tpl[7]);
    PyDict_SetItem(t, key[19], pid);
    PyDict_SetItem(t, key[20], pid);
    put(sys, 18, t);
    put(sys, 24, PyDict_Copy(tpl[3]));
    t = PyDict_Copy(tpl[8]);
    PyDict_SetItem(t, key[27], pid);
    put(top, 0, sys);
    put(top, 25, t);
    put(top, 26, PyDict_New());
    return top;
}

/* run(n, pid, small, text, guid, when, copy) -> None: builds and frees n dicts,
 * by insertion (copy false) or from templates (copy true). */
static PyObject *run(PyObject *self, PyObject *args) {
    long n;
    int copy = 0;
    PyObject *pid, *small, *text, *guid, *when;
    (void)self;
    if (!PyArg_ParseTuple(args, "lOOOOO|p", &n, &pid, &small, &text, &guid, &when, &copy))
        return NULL;
    if (copy) {
        PyObject *one = build(pid, small, text, guid, when), *sys = PyDict_GetItem(one, key[0]);
        if (!tpl[0]) {
            tpl[0] = PyDict_Copy(sys);
            tpl[1] = PyDict_Copy(one);
            tpl[2] = PyDict_Copy(PyDict_GetItem(sys, key[1]));
            tpl[3] = PyDict_Copy(PyDict_GetItem(sys, key[7]));
            tpl[4] = PyDict_Copy(PyDict_GetItem(sys, key[11]));
            tpl[5] = PyDict_Copy(PyDict_GetItem(sys, key[13]));
            tpl[6] = PyDict_Copy(PyDict_GetItem(sys, key[15]));
            tpl[7] = PyDict_Copy(PyDict_GetItem(sys, key[18]));
            tpl[8] = PyDict_Copy(PyDict_GetItem(one, key[25]));
        }
        Py_DECREF(one);
        for (long i = 0; i < n; i++) Py_DECREF(copy_build(pid, when));
    } else {
        for (long i = 0; i < n; i++) Py_DECREF(build(pid, small, text, guid, when));
    }
    Py_RETURN_NONE;
}

/* one(pid, small, text, guid, when) -> dict: one of them (to check the shape). */
static PyObject *one(PyObject *self, PyObject *args) {
    PyObject *pid, *small, *text, *guid, *when;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOO", &pid, &small, &text, &guid, &when)) return NULL;
    return build(pid, small, text, guid, when);
}

static PyMethodDef methods[] = {
    {"run", run, METH_VARARGS,
     "run(n, pid, small, text, guid, when, copy=False): build and free n dicts"},
    {"one", one, METH_VARARGS, "one(pid, small, text, guid, when) -> dict"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "dict_floor", NULL, -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit_dict_floor(void) {
    for (int i = 0; i < N_KEYS; i++)
        if (!(key[i] = PyUnicode_InternFromString(key_names[i]))) return NULL;
    return PyModule_Create(&module);
}
