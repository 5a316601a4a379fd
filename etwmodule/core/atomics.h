/* atomics.h - the handful of atomic operations the ring needs: C11
 * <stdatomic.h> where the compiler has it, Interlocked intrinsics on MSVC
 * builds without C11 atomics. */
#ifndef ETW_ATOMICS_H
#define ETW_ATOMICS_H

#include <stddef.h>

#if defined(_MSC_VER) && (defined(__STDC_NO_ATOMICS__) || !defined(__STDC_VERSION__))
#include <intrin.h>
typedef volatile long long etw_atomic_size;
typedef volatile long etw_atomic_int;
#define etw_atomic_load(p) ((size_t)_InterlockedOr64((p), 0))
#define etw_atomic_store(p, v) ((void)_InterlockedExchange64((p), (long long)(v)))
#define etw_atomic_load_int(p) ((int)_InterlockedOr((p), 0))
#define etw_atomic_store_int(p, v) ((void)_InterlockedExchange((p), (long)(v)))
#define etw_atomic_init(p, v) (*(p) = (v))
typedef volatile long etw_spinlock;
#define ETW_SPINLOCK_INIT 0
#define etw_spin_lock(l) do { } while (_InterlockedExchange((l), 1))
#define etw_spin_unlock(l) ((void)_InterlockedExchange((l), 0))
#else
#include <stdatomic.h>
typedef _Atomic size_t etw_atomic_size;
typedef _Atomic int etw_atomic_int;
/* Sequentially consistent on purpose: the ring's sleep/wake handshake relies
 * on the index store and the waiting-flag load not being reordered. */
#define etw_atomic_load(p) atomic_load(p)
#define etw_atomic_store(p, v) atomic_store((p), (v))
#define etw_atomic_load_int(p) atomic_load(p)
#define etw_atomic_store_int(p, v) atomic_store((p), (v))
#define etw_atomic_init(p, v) atomic_init((p), (v))
/* A tiny spinlock for very short critical sections (a few pointer moves). */
typedef atomic_flag etw_spinlock;
#define ETW_SPINLOCK_INIT ATOMIC_FLAG_INIT
#define etw_spin_lock(l) do { } while (atomic_flag_test_and_set(l))
#define etw_spin_unlock(l) atomic_flag_clear(l)
#endif

#endif /* ETW_ATOMICS_H */
