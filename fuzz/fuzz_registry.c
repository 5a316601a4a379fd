/* fuzz_registry.c - libFuzzer harness: the schema registry (schema.h) fed a
 * few records, and the payload decoder driven by what it finds.
 * Input: operations, each u8 op + u16 LE length + bytes:
 *   op & 3 == 0: EventMetadata opcode 32 record; bytes = u16 LE length +
 *                TRACE_EVENT_INFO payload, then a payload for an event of
 *                that schema's key (looked up and decoded when it was taken in);
 *   op & 3 == 1: EventMetadata opcode 33 record; bytes = provider GUID +
 *                EVENT_MAP_INFO;
 *   op & 3 == 2: TraceLogging record; bytes = u16 LE length + EVENT_SCHEMA_TL
 *                item, u16 LE length + PROV_TRAITS item (none when empty),
 *                then the payload;
 *   op & 3 == 3: another record; bytes = GUID, u16 id, u8 version, u8 opcode,
 *                then the payload; op bits 2-3 pick the kind (manifest,
 *                classic, kernel, WPP), bit 4 sets STRING_ONLY.
 *   op bit 5: 32-bit pointers.
 * Return codes follow the contract; a schema found is well formed and cached
 * (the same pointer on a second lookup); etw_decode_record (with the registry,
 * so maps resolve) gives consistent nodes. */
#include "fuzz_decode_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static etw_decoder *decoder;

FUZZ_NOCOV static void lookup_and_decode(etw_registry *r, etw_record *rec) {
    const etw_schema *s = NULL, *again = NULL;
    etw_error err;
    etw_decoded out;
    int rc, rc2;
    memset(&err, 0, sizeof err);
    rc = etw_registry_lookup(r, rec, &s, &err);
    FUZZ_CHECK(rc == 1 || rc == 0 || rc == ETW_ERR_FORMAT || rc == ETW_ERR_NOMEM);
    if (rc == 1) FUZZ_CHECK(s != NULL && s->invalid == NULL);
    if (rc == 0) FUZZ_CHECK(s == NULL);
    if (rc == ETW_ERR_FORMAT) FUZZ_CHECK(memchr(err.message, 0, sizeof err.message) != NULL);
    if (s) fuzz_check_schema(s);
    rc2 = etw_registry_lookup(r, rec, &again, &err);
    FUZZ_CHECK(rc2 == rc || rc == ETW_ERR_NOMEM || rc2 == ETW_ERR_NOMEM);
    if (rc2 == rc && rc != ETW_ERR_NOMEM) FUZZ_CHECK(again == s);
    if (rc != 1) return;
    rc = etw_decode_record(decoder, s, rec, r, &out);
    FUZZ_CHECK(rc == ETW_OK || rc == ETW_ERR_NOMEM);
    FUZZ_CHECK(out.schema != NULL);
    fuzz_check_decoded(&out, out.schema, rec->user_data, rec->user_data_length);
}

FUZZ_NOCOV static void new_record(etw_record *rec, const uint8_t *payload, size_t len,
                                  uint8_t op) {
    memset(rec, 0, sizeof *rec);
    rec->user_data = payload;
    rec->user_data_length = (uint32_t)len;
    rec->pointer_size = (op & 32) ? 4 : 8;
    rec->file_offset = 0x1000;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const etw_guid tl_provider = {0x11111111u, 0x2222, 0x3333,
                                         {0x44, 0x44, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55}};
    etw_registry *r;
    etw_registry_stats st;
    unsigned ops = 0;
    if (!decoder) {
        decoder = etw_decoder_new(0);
        FUZZ_CHECK(decoder != NULL);
    }
    r = etw_registry_new();
    FUZZ_CHECK(r != NULL);
    while (size >= 3 && ops++ < 64) {
        uint8_t op = data[0];
        size_t len = (size_t)(data[1] | data[2] << 8);
        uint8_t *b;
        etw_record rec;
        etw_error err;
        int rc;
        data += 3;
        size -= 3;
        if (len > size) len = size;
        b = fuzz_dup(data, len);
        data += len;
        size -= len;
        memset(&err, 0, sizeof err);
        switch (op & 3) {
        case 0: {
            const uint8_t *rest = b, *tei;
            size_t rest_len = len, tei_len;
            uint8_t *blob, *payload;
            etw_schema *key;
            int krc = 0;
            fuzz_take16(&rest, &rest_len, &tei, &tei_len);
            blob = fuzz_dup(tei, tei_len);
            payload = fuzz_dup(rest, rest_len);
            new_record(&rec, blob, tei_len, op);
            rec.kind = ETW_KIND_CLASSIC;
            rec.provider_id = etw_event_metadata_guid;
            rec.opcode = ETW_EVENT_METADATA_TEI;
            rc = etw_registry_add_event_metadata(r, &rec, &err);
            FUZZ_CHECK(rc == 1 || rc == 0 || rc == ETW_ERR_FORMAT || rc == ETW_ERR_NOMEM);
            if (rc == ETW_ERR_FORMAT) FUZZ_CHECK(err.offset == rec.file_offset);
            key = (rc == 1 || rc == 0) ? etw_schema_from_tei(blob, tei_len, &krc, &err) : NULL;
            if (rc == 1 || rc == 0) FUZZ_CHECK(key != NULL || krc == ETW_ERR_NOMEM);
            if (key) {
                new_record(&rec, payload, rest_len, op);
                if (key->key_kind == ETW_KEY_CLASSIC) {
                    rec.kind = ETW_KIND_CLASSIC;
                    rec.provider_id = key->event_guid;
                } else {
                    rec.kind = ETW_KIND_MANIFEST;
                    rec.provider_id = key->provider_id;
                }
                rec.id = key->id;
                rec.opcode = key->opcode;
                rec.version = key->version;
                lookup_and_decode(r, &rec);
                free(key);
            }
            free(blob);
            free(payload);
            break;
        }
        case 1:
            new_record(&rec, b, len, op);
            rec.kind = ETW_KIND_CLASSIC;
            rec.provider_id = etw_event_metadata_guid;
            rec.opcode = ETW_EVENT_METADATA_MAP;
            rc = etw_registry_add_event_metadata(r, &rec, &err);
            FUZZ_CHECK(rc == 1 || rc == 0 || rc == ETW_ERR_FORMAT || rc == ETW_ERR_NOMEM);
            if (rc == 1 && len >= 16) {
                /* Not a lookup key the map is certain to be found under (its
                 * name is inside the blob), so only the call is exercised. */
                etw_guid g = etw_guid_load(b);
                (void)etw_registry_find_map(r, &g, "");
            }
            break;
        case 2: {
            const uint8_t *rest = b, *meta, *traits;
            size_t rest_len = len, meta_len, traits_len;
            uint8_t *m, *t, *payload;
            etw_ext_item ext[2];
            fuzz_take16(&rest, &rest_len, &meta, &meta_len);
            fuzz_take16(&rest, &rest_len, &traits, &traits_len);
            m = fuzz_dup(meta, meta_len);
            t = fuzz_dup(traits, traits_len);
            payload = fuzz_dup(rest, rest_len);
            new_record(&rec, payload, rest_len, op);
            rec.kind = ETW_KIND_TRACELOGGING;
            rec.provider_id = tl_provider;
            rec.flags = ETW_EHF_EXTENDED_INFO;
            ext[0].type = ETW_EXT_EVENT_SCHEMA_TL;
            ext[0].size = (uint16_t)meta_len;
            ext[0].data = m;
            ext[1].type = ETW_EXT_PROV_TRAITS;
            ext[1].size = (uint16_t)traits_len;
            ext[1].data = t;
            rec.ext = ext;
            rec.ext_count = traits_len ? 2 : 1;
            lookup_and_decode(r, &rec);
            free(m);
            free(t);
            free(payload);
            break;
        }
        default: {
            static const uint8_t kinds[4] = {ETW_KIND_MANIFEST, ETW_KIND_CLASSIC, ETW_KIND_KERNEL,
                                             ETW_KIND_WPP};
            etw_guid g;
            uint8_t *payload;
            if (len < 20) break;
            g = etw_guid_load(b);
            payload = fuzz_dup(b + 20, len - 20);
            new_record(&rec, payload, len - 20, op);
            rec.kind = kinds[(op >> 2) & 3];
            rec.provider_id = g;
            rec.id = etw_le16(b + 16);
            rec.version = b[18];
            rec.opcode = b[19];
            if (op & 16) rec.flags |= ETW_EHF_STRING_ONLY;
            lookup_and_decode(r, &rec);
            free(payload);
            break;
        }
        }
        free(b);
    }
    etw_registry_get_stats(r, &st);
    FUZZ_CHECK(st.misses <= st.lookups);
    FUZZ_CHECK(st.tl_built <= st.schemas);
    etw_registry_free(r);
    return 0;
}
