/*
 * A PKCS#11 library for tests that forwards every call to a real one (SoftHSM2) and adds what real
 * smartcards do and SoftHSM2 does not: a passcode retry counter that locks, a PIN pad, the card being
 * pulled out mid-signing, device errors and lost sessions.
 *
 * Build (test/support/pkcs11-fixture.ts does this):
 *   cc -shared -fPIC -O2 -I node_modules/pkcs11js/includes/pkcs11 -o fault.so fault-module.c -ldl
 *
 * Environment. FAULT_PKCS11_TARGET is read when the library is first asked for its function list; the rest
 * at every C_Initialize, which also resets all in-memory state (so a test can finalize, change the
 * environment and initialize again):
 *
 *   FAULT_PKCS11_TARGET            the real module (default /usr/lib/softhsm/libsofthsm2.so).
 *   FAULT_PIN_TRIES=n              a passcode retry counter starting at n (unset: none). Each
 *                                  CKR_PIN_INCORRECT from the target takes one off; C_GetTokenInfo then
 *                                  reports CKF_USER_PIN_COUNT_LOW, CKF_USER_PIN_FINAL_TRY at 1 left and
 *                                  CKF_USER_PIN_LOCKED at 0, when every C_Login returns CKR_PIN_LOCKED
 *                                  without asking the target. A good login sets it back to n. One counter
 *                                  for all tokens.
 *   FAULT_STATE_FILE=path          keep the counter in this file (one decimal number) instead of memory, so
 *                                  that it survives C_Finalize and is shared between processes. A missing
 *                                  file means n tries left.
 *   FAULT_PIN_PAD=1                the reader has a PIN pad: C_GetTokenInfo adds
 *                                  CKF_PROTECTED_AUTHENTICATION_PATH, and C_Login without a PIN "asks the
 *                                  user" for FAULT_PIN_PAD_DELAY_MS and logs in with FAULT_PIN_PAD_PIN; if
 *                                  that is unset the user pressed Cancel (CKR_FUNCTION_CANCELED). "Without a
 *                                  PIN" is a NULL pointer or a zero length: pkcs11js cannot pass NULL and
 *                                  sends an empty string.
 *   FAULT_PIN_PAD_PIN, FAULT_PIN_PAD_DELAY_MS
 *   FAULT_REMOVE_AT_SIGN=n         the nth C_Sign (from 1, counted since C_Initialize) pulls the card out:
 *                                  it returns CKR_DEVICE_REMOVED, and from then on calls on that token's
 *                                  sessions return CKR_DEVICE_REMOVED, calls naming its slot
 *                                  CKR_TOKEN_NOT_PRESENT, and C_GetSlotList(CK_TRUE) leaves the slot out.
 *                                  The next C_WaitForSlotEvent reports the slot once.
 *   FAULT_DEVICE_ERROR_AT_SIGN=n   the nth C_Sign returns CKR_DEVICE_ERROR (once; the session stays usable).
 *   FAULT_SESSION_INVALID_AT_SIGN=n  the nth C_Sign returns CKR_SESSION_HANDLE_INVALID and the session is
 *                                  closed underneath, as after a card reset.
 *   FAULT_SIGN_DELAY_MS=ms         every C_Sign takes this much longer.
 *   FAULT_NO_SLOT_EVENTS=1         C_WaitForSlotEvent returns CKR_FUNCTION_NOT_SUPPORTED, like many
 *                                  vendor libraries, so callers must fall back to polling.
 *
 * Always: C_SignInit without a login returns CKR_USER_NOT_LOGGED_IN, as on a card. SoftHSM2 lets a key
 * that is not CKA_PRIVATE sign without one, and the test tokens' keys are not, so that they can be found
 * before the passcode is asked for, as on a card.
 *
 * An injected C_Sign failure still runs the target's C_Sign and throws the signature away: C_Sign ends the
 * signing operation whatever it returns, and the target must agree, or the next C_SignInit would fail with
 * CKR_OPERATION_ACTIVE.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pkcs11.h"

#define DEFAULT_TARGET "/usr/lib/softhsm/libsofthsm2.so"
#define MAX_SLOTS 64

static CK_FUNCTION_LIST_PTR target;
static CK_FUNCTION_LIST faulty;

static struct {
  long pin_tries; /* -1: no counter */
  char state_file[4096];
  int pin_pad;
  int has_pin_pad_pin;
  char pin_pad_pin[256];
  long pin_pad_delay_ms;
  long remove_at_sign;
  long device_error_at_sign;
  long session_invalid_at_sign;
  long sign_delay_ms;
  int no_slot_events;
} cfg;

/* C_SignAsync runs C_Sign on a libuv worker thread while other calls come from the JS thread. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long tries_left;
static long signs;
static int removed;
static CK_SLOT_ID removed_slot;
static int event_pending;

static long env_long(const char *name, long fallback) {
  const char *value = getenv(name);
  if (value == NULL || *value == '\0') {
    return fallback;
  }
  char *end;
  long n = strtol(value, &end, 10);
  return *end == '\0' ? n : fallback;
}

static void env_string(const char *name, char *out, size_t size, int *present) {
  const char *value = getenv(name);
  if (present != NULL) {
    *present = value != NULL;
  }
  snprintf(out, size, "%s", value == NULL ? "" : value);
}

static void sleep_ms(long ms) {
  struct timespec left = {ms / 1000, (ms % 1000) * 1000000L};
  while (ms > 0 && nanosleep(&left, &left) == -1 && errno == EINTR) {
  }
}

/* Caller holds the lock. */
static long read_tries(void) {
  if (cfg.state_file[0] == '\0') {
    return tries_left;
  }
  long n = cfg.pin_tries;
  FILE *file = fopen(cfg.state_file, "r");
  if (file != NULL) {
    if (fscanf(file, "%ld", &n) != 1) {
      n = cfg.pin_tries;
    }
    fclose(file);
  }
  return n;
}

/* Caller holds the lock. */
static void write_tries(long n) {
  tries_left = n;
  if (cfg.state_file[0] != '\0') {
    FILE *file = fopen(cfg.state_file, "w");
    if (file != NULL) {
      fprintf(file, "%ld\n", n);
      fclose(file);
    }
  }
}

static int slot_gone(CK_SLOT_ID slot) {
  pthread_mutex_lock(&lock);
  int gone = removed && slot == removed_slot;
  pthread_mutex_unlock(&lock);
  return gone;
}

static int session_gone(CK_SESSION_HANDLE session) {
  CK_SESSION_INFO info;
  pthread_mutex_lock(&lock);
  int any = removed;
  pthread_mutex_unlock(&lock);
  if (!any || target->C_GetSessionInfo(session, &info) != CKR_OK) {
    return 0;
  }
  return slot_gone(info.slotID);
}

#define GUARD_SESSION(session)       \
  do {                               \
    if (session_gone(session)) {     \
      return CKR_DEVICE_REMOVED;     \
    }                                \
  } while (0)

static CK_RV fault_Initialize(CK_VOID_PTR args) {
  cfg.pin_tries = env_long("FAULT_PIN_TRIES", -1);
  env_string("FAULT_STATE_FILE", cfg.state_file, sizeof cfg.state_file, NULL);
  cfg.pin_pad = env_long("FAULT_PIN_PAD", 0) == 1;
  env_string("FAULT_PIN_PAD_PIN", cfg.pin_pad_pin, sizeof cfg.pin_pad_pin, &cfg.has_pin_pad_pin);
  cfg.pin_pad_delay_ms = env_long("FAULT_PIN_PAD_DELAY_MS", 0);
  cfg.remove_at_sign = env_long("FAULT_REMOVE_AT_SIGN", 0);
  cfg.device_error_at_sign = env_long("FAULT_DEVICE_ERROR_AT_SIGN", 0);
  cfg.session_invalid_at_sign = env_long("FAULT_SESSION_INVALID_AT_SIGN", 0);
  cfg.sign_delay_ms = env_long("FAULT_SIGN_DELAY_MS", 0);
  cfg.no_slot_events = env_long("FAULT_NO_SLOT_EVENTS", 0) == 1;

  pthread_mutex_lock(&lock);
  tries_left = cfg.pin_tries;
  signs = 0;
  removed = 0;
  event_pending = 0;
  pthread_mutex_unlock(&lock);
  return target->C_Initialize(args);
}

static CK_RV fault_GetSlotList(CK_BBOOL present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count) {
  pthread_mutex_lock(&lock);
  int any = removed;
  CK_SLOT_ID gone = removed_slot;
  pthread_mutex_unlock(&lock);
  if (!present || !any) {
    return target->C_GetSlotList(present, list, count);
  }
  if (count == NULL) {
    return CKR_ARGUMENTS_BAD;
  }
  CK_SLOT_ID all[MAX_SLOTS];
  CK_ULONG n = MAX_SLOTS;
  CK_RV rv = target->C_GetSlotList(present, all, &n);
  if (rv != CKR_OK) {
    return rv;
  }
  CK_ULONG kept = 0;
  for (CK_ULONG i = 0; i < n; i++) {
    if (all[i] != gone) {
      all[kept++] = all[i];
    }
  }
  if (list == NULL) {
    *count = kept;
    return CKR_OK;
  }
  if (*count < kept) {
    *count = kept;
    return CKR_BUFFER_TOO_SMALL;
  }
  memcpy(list, all, kept * sizeof all[0]);
  *count = kept;
  return CKR_OK;
}

static CK_RV fault_GetSlotInfo(CK_SLOT_ID slot, CK_SLOT_INFO_PTR info) {
  CK_RV rv = target->C_GetSlotInfo(slot, info);
  if (rv == CKR_OK && slot_gone(slot)) {
    info->flags &= ~(CK_FLAGS)CKF_TOKEN_PRESENT;
  }
  return rv;
}

static CK_RV fault_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info) {
  if (slot_gone(slot)) {
    return CKR_TOKEN_NOT_PRESENT;
  }
  CK_RV rv = target->C_GetTokenInfo(slot, info);
  if (rv != CKR_OK) {
    return rv;
  }
  if (cfg.pin_pad) {
    info->flags |= CKF_PROTECTED_AUTHENTICATION_PATH;
  }
  if (cfg.pin_tries >= 0) {
    pthread_mutex_lock(&lock);
    long left = read_tries();
    pthread_mutex_unlock(&lock);
    info->flags &= ~(CK_FLAGS)(CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED);
    if (left <= 0) {
      info->flags |= CKF_USER_PIN_LOCKED;
    } else {
      if (left < cfg.pin_tries) {
        info->flags |= CKF_USER_PIN_COUNT_LOW;
      }
      if (left == 1) {
        info->flags |= CKF_USER_PIN_FINAL_TRY;
      }
    }
  }
  return CKR_OK;
}

static CK_RV fault_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify,
                               CK_SESSION_HANDLE_PTR session) {
  if (slot_gone(slot)) {
    return CKR_TOKEN_NOT_PRESENT;
  }
  return target->C_OpenSession(slot, flags, app, notify, session);
}

static CK_RV fault_GetSessionInfo(CK_SESSION_HANDLE session, CK_SESSION_INFO_PTR info) {
  GUARD_SESSION(session);
  return target->C_GetSessionInfo(session, info);
}

static CK_RV fault_Login(CK_SESSION_HANDLE session, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG length) {
  GUARD_SESSION(session);
  if (user != CKU_USER) {
    return target->C_Login(session, user, pin, length);
  }
  if (cfg.pin_pad && (pin == NULL || length == 0)) {
    sleep_ms(cfg.pin_pad_delay_ms);
    if (!cfg.has_pin_pad_pin) {
      return CKR_FUNCTION_CANCELED;
    }
    pin = (CK_UTF8CHAR_PTR)cfg.pin_pad_pin;
    length = strlen(cfg.pin_pad_pin);
  }
  if (cfg.pin_tries < 0) {
    return target->C_Login(session, user, pin, length);
  }
  pthread_mutex_lock(&lock);
  long left = read_tries();
  CK_RV rv = CKR_PIN_LOCKED;
  if (left > 0) {
    rv = target->C_Login(session, user, pin, length);
    if (rv == CKR_PIN_INCORRECT) {
      write_tries(left - 1);
    } else if (rv == CKR_OK) {
      write_tries(cfg.pin_tries);
    }
  }
  pthread_mutex_unlock(&lock);
  return rv;
}

static CK_RV fault_Logout(CK_SESSION_HANDLE session) {
  GUARD_SESSION(session);
  return target->C_Logout(session);
}

static CK_RV fault_GetAttributeValue(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object, CK_ATTRIBUTE_PTR attributes,
                                     CK_ULONG count) {
  GUARD_SESSION(session);
  return target->C_GetAttributeValue(session, object, attributes, count);
}

static CK_RV fault_FindObjectsInit(CK_SESSION_HANDLE session, CK_ATTRIBUTE_PTR attributes, CK_ULONG count) {
  GUARD_SESSION(session);
  return target->C_FindObjectsInit(session, attributes, count);
}

static CK_RV fault_FindObjects(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE_PTR objects, CK_ULONG max,
                               CK_ULONG_PTR count) {
  GUARD_SESSION(session);
  return target->C_FindObjects(session, objects, max, count);
}

static CK_RV fault_FindObjectsFinal(CK_SESSION_HANDLE session) {
  GUARD_SESSION(session);
  return target->C_FindObjectsFinal(session);
}

static CK_RV fault_SignInit(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mechanism, CK_OBJECT_HANDLE key) {
  GUARD_SESSION(session);
  CK_SESSION_INFO info;
  CK_RV rv = target->C_GetSessionInfo(session, &info);
  if (rv != CKR_OK) {
    return rv;
  }
  if (info.state != CKS_RO_USER_FUNCTIONS && info.state != CKS_RW_USER_FUNCTIONS) {
    return CKR_USER_NOT_LOGGED_IN;
  }
  return target->C_SignInit(session, mechanism, key);
}

static CK_RV fault_Sign(CK_SESSION_HANDLE session, CK_BYTE_PTR data, CK_ULONG length, CK_BYTE_PTR signature,
                        CK_ULONG_PTR signature_length) {
  GUARD_SESSION(session);
  if (signature == NULL) {
    /* Asking for the length is not a signature. */
    return target->C_Sign(session, data, length, signature, signature_length);
  }
  CK_SESSION_INFO info;
  CK_RV known = target->C_GetSessionInfo(session, &info);
  pthread_mutex_lock(&lock);
  long n = ++signs;
  pthread_mutex_unlock(&lock);
  sleep_ms(cfg.sign_delay_ms);
  CK_RV rv = target->C_Sign(session, data, length, signature, signature_length);
  if (n == cfg.remove_at_sign && known == CKR_OK) {
    pthread_mutex_lock(&lock);
    removed = 1;
    removed_slot = info.slotID;
    event_pending = 1;
    pthread_mutex_unlock(&lock);
    return CKR_DEVICE_REMOVED;
  }
  if (n == cfg.device_error_at_sign) {
    return CKR_DEVICE_ERROR;
  }
  if (n == cfg.session_invalid_at_sign) {
    target->C_CloseSession(session);
    return CKR_SESSION_HANDLE_INVALID;
  }
  return rv;
}

static CK_RV fault_SignUpdate(CK_SESSION_HANDLE session, CK_BYTE_PTR part, CK_ULONG length) {
  GUARD_SESSION(session);
  return target->C_SignUpdate(session, part, length);
}

static CK_RV fault_SignFinal(CK_SESSION_HANDLE session, CK_BYTE_PTR signature, CK_ULONG_PTR length) {
  GUARD_SESSION(session);
  return target->C_SignFinal(session, signature, length);
}

static CK_RV fault_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR slot, CK_VOID_PTR reserved) {
  if (cfg.no_slot_events) {
    return CKR_FUNCTION_NOT_SUPPORTED;
  }
  pthread_mutex_lock(&lock);
  int pending = event_pending;
  event_pending = 0;
  CK_SLOT_ID gone = removed_slot;
  pthread_mutex_unlock(&lock);
  if (pending) {
    if (slot != NULL) {
      *slot = gone;
    }
    return CKR_OK;
  }
  return target->C_WaitForSlotEvent(flags, slot, reserved);
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list) {
  if (list == NULL) {
    return CKR_ARGUMENTS_BAD;
  }
  if (target == NULL) {
    const char *path = getenv("FAULT_PKCS11_TARGET");
    if (path == NULL || *path == '\0') {
      path = DEFAULT_TARGET;
    }
    void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
      fprintf(stderr, "fault-module: %s\n", dlerror());
      return CKR_GENERAL_ERROR;
    }
    CK_C_GetFunctionList get = (CK_C_GetFunctionList)dlsym(library, "C_GetFunctionList");
    CK_FUNCTION_LIST_PTR real = NULL;
    if (get == NULL || get(&real) != CKR_OK || real == NULL) {
      fprintf(stderr, "fault-module: %s has no usable C_GetFunctionList\n", path);
      dlclose(library);
      return CKR_GENERAL_ERROR;
    }
    target = real;
    faulty = *real;
    faulty.C_Initialize = fault_Initialize;
    faulty.C_GetSlotList = fault_GetSlotList;
    faulty.C_GetSlotInfo = fault_GetSlotInfo;
    faulty.C_GetTokenInfo = fault_GetTokenInfo;
    faulty.C_OpenSession = fault_OpenSession;
    faulty.C_GetSessionInfo = fault_GetSessionInfo;
    faulty.C_Login = fault_Login;
    faulty.C_Logout = fault_Logout;
    faulty.C_GetAttributeValue = fault_GetAttributeValue;
    faulty.C_FindObjectsInit = fault_FindObjectsInit;
    faulty.C_FindObjects = fault_FindObjects;
    faulty.C_FindObjectsFinal = fault_FindObjectsFinal;
    faulty.C_SignInit = fault_SignInit;
    faulty.C_Sign = fault_Sign;
    faulty.C_SignUpdate = fault_SignUpdate;
    faulty.C_SignFinal = fault_SignFinal;
    faulty.C_WaitForSlotEvent = fault_WaitForSlotEvent;
  }
  *list = &faulty;
  return CKR_OK;
}
