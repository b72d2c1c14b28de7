/*
 * A fake libnvidia-ml for tests on machines without an NVIDIA GPU.
 *
 * It exports the NVML entry points that jouleflow binds, with NVML's ABI (names, argument types,
 * struct layouts and return codes as in NVIDIA's nvml.h), so the Java side goes through real JNA
 * calls into real native code. Its behaviour is scripted:
 *
 *   - by exported control functions fake_nvml_* (tests call them through a small JNA interface
 *     loaded from the same file, so they share this library's state), and
 *   - by environment variables read when the library is loaded and by fake_nvml_reset(), for
 *     runs in a separate process (the NvmlProbe check):
 *       FAKE_NVML_DEVICE_COUNT      number of GPUs (default 1)
 *       FAKE_NVML_ENERGY_STEP_MJ    energy counter advance per read, in mJ (default 0)
 *       FAKE_NVML_ENERGY_RATE_MW    energy counter advance per second of wall time, in mW (default 0)
 *       FAKE_NVML_POWER_MW          power usage and instant power, in mW (default 50000)
 *
 * Build: gcc -shared -fPIC -O2 -Wall -Wextra -o libnvidia-ml.so.1 fake_nvml.c -lpthread
 * With -DFAKE_NVML_OMIT_INIT the library lacks nvmlInit_v2 (to test "symbol missing").
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- NVML ABI (nvml.h) -------------------------------------------------------------------- */

typedef int nvmlReturn_t;
#define NVML_SUCCESS 0
#define NVML_ERROR_UNINITIALIZED 1
#define NVML_ERROR_INVALID_ARGUMENT 2
#define NVML_ERROR_NOT_SUPPORTED 3
#define NVML_ERROR_INSUFFICIENT_SIZE 7
#define NVML_ERROR_UNKNOWN 999

typedef struct fake_device *nvmlDevice_t;

typedef struct {
  unsigned int gpu;
  unsigned int memory;
} nvmlUtilization_t;

typedef enum {
  NVML_VALUE_TYPE_DOUBLE = 0,
  NVML_VALUE_TYPE_UNSIGNED_INT = 1,
  NVML_VALUE_TYPE_UNSIGNED_LONG = 2,
  NVML_VALUE_TYPE_UNSIGNED_LONG_LONG = 3,
  NVML_VALUE_TYPE_SIGNED_LONG_LONG = 4,
  NVML_VALUE_TYPE_SIGNED_INT = 5,
  NVML_VALUE_TYPE_UNSIGNED_SHORT = 6
} nvmlValueType_t;

typedef union {
  double dVal;
  unsigned int uiVal;
  unsigned long ulVal;
  unsigned long long ullVal;
  long long sllVal;
  int siVal;
  unsigned short usVal;
} nvmlValue_t;

typedef struct {
  unsigned int fieldId;
  unsigned int scopeId;
  long long timestamp;   /* microseconds since 1970 */
  long long latencyUsec;
  nvmlValueType_t valueType;
  nvmlReturn_t nvmlReturn;
  nvmlValue_t value;
} nvmlFieldValue_t;

/* nvmlProcessInfo_t as used by nvmlDeviceGetComputeRunningProcesses_v3 (nvmlProcessInfo_v2_t). */
typedef struct {
  unsigned int pid;
  unsigned long long usedGpuMemory;
  unsigned int gpuInstanceId;
  unsigned int computeInstanceId;
} nvmlProcessInfo_t;

#define NVML_FI_DEV_POWER_INSTANT 186

/* Layout checks against the offsets in nvml.h (and in the Java side's NativeLayout). */
_Static_assert(sizeof(nvmlFieldValue_t) == 40, "nvmlFieldValue_t is 40 bytes");
_Static_assert(__builtin_offsetof(nvmlFieldValue_t, valueType) == 24, "valueType at 24");
_Static_assert(__builtin_offsetof(nvmlFieldValue_t, value) == 32, "value at 32");
_Static_assert(sizeof(nvmlProcessInfo_t) == 24, "nvmlProcessInfo_t is 24 bytes");
_Static_assert(__builtin_offsetof(nvmlProcessInfo_t, gpuInstanceId) == 16, "gpuInstanceId at 16");

#define EXPORT __attribute__((visibility("default")))

/* ---- scripted state ----------------------------------------------------------------------- */

#define MAX_DEVICES 8
#define MAX_PROCESSES 64
#define MAX_ERRORS 32
#define MAX_CALLS 32

struct fake_device {
  char name[96];
  char uuid[96];
  int energy_supported;
  unsigned long long energy_mj;
  unsigned long long energy_step_mj;   /* added after each read */
  unsigned long long energy_rate_mw;   /* added per second of wall time */
  double energy_carry_mj;              /* sub-millijoule remainder of the rate */
  struct timespec energy_stamp;
  int power_supported;
  unsigned int power_mw;
  nvmlReturn_t instant_power_result;   /* per-field nvmlReturn for NVML_FI_DEV_POWER_INSTANT */
  unsigned int instant_power_mw;
  unsigned int power_limit_mw;
  unsigned int util_gpu;
  unsigned int util_memory;
  unsigned int process_count;
  nvmlProcessInfo_t processes[MAX_PROCESSES];
};

struct scripted_error {
  char function[64];
  nvmlReturn_t code;
};

struct call_count {
  char function[64];
  long long count;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct fake_device devices[MAX_DEVICES];
static unsigned int device_count;
static int init_refcount;
static nvmlReturn_t init_result;
static char driver_version[80];
static char nvml_version[80];
static struct scripted_error errors[MAX_ERRORS];
static int error_count;
static struct call_count calls[MAX_CALLS];
static int call_slots;

static unsigned long long env_ull(const char *name, unsigned long long fallback) {
  const char *value = getenv(name);
  return value && *value ? strtoull(value, NULL, 10) : fallback;
}

static void reset_locked(void) {
  memset(devices, 0, sizeof devices);
  memset(errors, 0, sizeof errors);
  memset(calls, 0, sizeof calls);
  error_count = 0;
  call_slots = 0;
  init_refcount = 0;
  init_result = NVML_SUCCESS;
  snprintf(driver_version, sizeof driver_version, "%s", "999.99.01");
  snprintf(nvml_version, sizeof nvml_version, "%s", "12.999.99.01");
  device_count = (unsigned int) env_ull("FAKE_NVML_DEVICE_COUNT", 1);
  if (device_count > MAX_DEVICES) device_count = MAX_DEVICES;
  unsigned long long power = env_ull("FAKE_NVML_POWER_MW", 50000);
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  for (unsigned int i = 0; i < MAX_DEVICES; i++) {
    struct fake_device *d = &devices[i];
    snprintf(d->name, sizeof d->name, "Fake GPU %u", i);
    snprintf(d->uuid, sizeof d->uuid, "GPU-00000000-fake-0000-0000-%012u", i);
    d->energy_supported = 1;
    d->energy_mj = 1000000ULL * (i + 1);
    d->energy_step_mj = env_ull("FAKE_NVML_ENERGY_STEP_MJ", 0);
    d->energy_rate_mw = env_ull("FAKE_NVML_ENERGY_RATE_MW", 0);
    d->energy_stamp = now;
    d->power_supported = 1;
    d->power_mw = (unsigned int) power;
    d->instant_power_result = NVML_SUCCESS;
    d->instant_power_mw = (unsigned int) power;
    d->power_limit_mw = 700000;
  }
}

__attribute__((constructor)) static void on_load(void) {
  pthread_mutex_lock(&lock);
  reset_locked();
  pthread_mutex_unlock(&lock);
}

static void count_call_locked(const char *function) {
  for (int i = 0; i < call_slots; i++) {
    if (strcmp(calls[i].function, function) == 0) {
      calls[i].count++;
      return;
    }
  }
  if (call_slots < MAX_CALLS) {
    snprintf(calls[call_slots].function, sizeof calls[call_slots].function, "%s", function);
    calls[call_slots].count = 1;
    call_slots++;
  }
}

static nvmlReturn_t scripted_error_locked(const char *function) {
  for (int i = 0; i < error_count; i++) {
    if (strcmp(errors[i].function, function) == 0) return errors[i].code;
  }
  return NVML_SUCCESS;
}

/* Common entry of every device query: counts the call, applies a scripted error, checks state. */
static nvmlReturn_t enter_locked(const char *function, nvmlDevice_t device) {
  count_call_locked(function);
  nvmlReturn_t scripted = scripted_error_locked(function);
  if (scripted != NVML_SUCCESS) return scripted;
  if (init_refcount <= 0) return NVML_ERROR_UNINITIALIZED;
  if (device != NULL && (device < devices || device >= devices + device_count)) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  return NVML_SUCCESS;
}

#define ENTER(function, device)                         \
  pthread_mutex_lock(&lock);                            \
  nvmlReturn_t entry = enter_locked(function, device);  \
  if (entry != NVML_SUCCESS) {                          \
    pthread_mutex_unlock(&lock);                        \
    return entry;                                       \
  }

#define LEAVE(code)              \
  do {                           \
    pthread_mutex_unlock(&lock); \
    return (code);               \
  } while (0)

static nvmlReturn_t copy_string(char *out, unsigned int length, const char *value) {
  if (out == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  if (strlen(value) + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
  memcpy(out, value, strlen(value) + 1);
  return NVML_SUCCESS;
}

static void advance_energy_locked(struct fake_device *d) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  double seconds = (double) (now.tv_sec - d->energy_stamp.tv_sec)
      + (double) (now.tv_nsec - d->energy_stamp.tv_nsec) / 1e9;
  d->energy_stamp = now;
  d->energy_carry_mj += seconds * (double) d->energy_rate_mw;
  unsigned long long whole = (unsigned long long) d->energy_carry_mj;
  d->energy_carry_mj -= (double) whole;
  d->energy_mj += whole;
}

/* ---- NVML entry points -------------------------------------------------------------------- */

EXPORT const char *nvmlErrorString(nvmlReturn_t result) {
  switch (result) {
    case 0: return "Success";
    case 1: return "Uninitialized";
    case 2: return "Invalid Argument";
    case 3: return "Not Supported";
    case 4: return "Insufficient Permissions";
    case 5: return "Already Initialized";
    case 6: return "Not Found";
    case 7: return "Insufficient Size";
    case 8: return "Insufficient External Power";
    case 9: return "Driver Not Loaded";
    case 10: return "Timeout";
    case 11: return "Interrupt Request Issue";
    case 12: return "NVML Shared Library Not Found";
    case 13: return "Function Not Found";
    case 14: return "Corrupted infoROM";
    case 15: return "GPU is lost";
    case 16: return "GPU requires restart";
    case 17: return "The operating system has blocked the request";
    case 18: return "RM has detected an NVML/RM version mismatch";
    case 19: return "In use by another client";
    case 20: return "Insufficient Memory";
    case 21: return "No data";
    case 22: return "The requested vgpu operation is not available on target device, because ECC is enabled";
    case 23: return "Ran out of critical resources, other than memory";
    case 24: return "The requested frequency is not supported";
    case 25: return "The provided version is invalid/unsupported";
    case 26: return "The requested functionality has been deprecated";
    case 27: return "The system is not ready for the request";
    case 28: return "No GPUs were found";
    case 29: return "Resource not in correct state to perform requested operation";
    case 30: return "Reset not supported for given device/parameters";
    default: return "Unknown Error";
  }
}

#ifndef FAKE_NVML_OMIT_INIT
EXPORT nvmlReturn_t nvmlInit_v2(void) {
  pthread_mutex_lock(&lock);
  count_call_locked("nvmlInit_v2");
  nvmlReturn_t result = init_result;
  if (result == NVML_SUCCESS) init_refcount++;
  LEAVE(result);
}
#endif

EXPORT nvmlReturn_t nvmlShutdown(void) {
  ENTER("nvmlShutdown", NULL);
  init_refcount--;
  LEAVE(NVML_SUCCESS);
}

EXPORT nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) {
  ENTER("nvmlSystemGetDriverVersion", NULL);
  LEAVE(copy_string(version, length, driver_version));
}

EXPORT nvmlReturn_t nvmlSystemGetNVMLVersion(char *version, unsigned int length) {
  ENTER("nvmlSystemGetNVMLVersion", NULL);
  LEAVE(copy_string(version, length, nvml_version));
}

EXPORT nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) {
  ENTER("nvmlDeviceGetCount_v2", NULL);
  if (count == NULL) LEAVE(NVML_ERROR_INVALID_ARGUMENT);
  *count = device_count;
  LEAVE(NVML_SUCCESS);
}

EXPORT nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
  ENTER("nvmlDeviceGetHandleByIndex_v2", NULL);
  if (device == NULL || index >= device_count) LEAVE(NVML_ERROR_INVALID_ARGUMENT);
  *device = &devices[index];
  LEAVE(NVML_SUCCESS);
}

EXPORT nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length) {
  ENTER("nvmlDeviceGetName", device);
  LEAVE(copy_string(name, length, device->name));
}

EXPORT nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length) {
  ENTER("nvmlDeviceGetUUID", device);
  LEAVE(copy_string(uuid, length, device->uuid));
}

EXPORT nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t device,
                                                        unsigned long long *energy) {
  ENTER("nvmlDeviceGetTotalEnergyConsumption", device);
  if (!device->energy_supported) LEAVE(NVML_ERROR_NOT_SUPPORTED);
  if (energy == NULL) LEAVE(NVML_ERROR_INVALID_ARGUMENT);
  advance_energy_locked(device);
  *energy = device->energy_mj;
  device->energy_mj += device->energy_step_mj;
  LEAVE(NVML_SUCCESS);
}

EXPORT nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int *power) {
  ENTER("nvmlDeviceGetPowerUsage", device);
  if (!device->power_supported) LEAVE(NVML_ERROR_NOT_SUPPORTED);
  if (power == NULL) LEAVE(NVML_ERROR_INVALID_ARGUMENT);
  *power = device->power_mw;
  LEAVE(NVML_SUCCESS);
}

EXPORT nvmlReturn_t nvmlDeviceGetPowerManagementLimit(nvmlDevice_t device, unsigned int *limit) {
  ENTER("nvmlDeviceGetPowerManagementLimit", device);
  if (limit == NULL) LEAVE(NVML_ERROR_INVALID_ARGUMENT);
  *limit = device->power_limit_mw;
  LEAVE(NVML_SUCCESS);
}

EXPORT nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device,
                                                  nvmlUtilization_t *utilization) {
  ENTER("nvmlDeviceGetUtilizationRates", device);
  if (utilization == NULL) LEAVE(NVML_ERROR_INVALID_ARGUMENT);
  utilization->gpu = device->util_gpu;
  utilization->memory = device->util_memory;
  LEAVE(NVML_SUCCESS);
}

EXPORT nvmlReturn_t nvmlDeviceGetFieldValues(nvmlDevice_t device, int valuesCount,
                                             nvmlFieldValue_t *values) {
  ENTER("nvmlDeviceGetFieldValues", device);
  if (values == NULL || valuesCount < 0) LEAVE(NVML_ERROR_INVALID_ARGUMENT);
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  for (int i = 0; i < valuesCount; i++) {
    nvmlFieldValue_t *v = &values[i];
    v->timestamp = (long long) now.tv_sec * 1000000LL + now.tv_nsec / 1000;
    v->latencyUsec = 0;
    if (v->fieldId == NVML_FI_DEV_POWER_INSTANT) {
      v->nvmlReturn = device->instant_power_result;
      v->valueType = NVML_VALUE_TYPE_UNSIGNED_INT;
      v->value.ullVal = 0;
      v->value.uiVal = device->instant_power_mw;
    } else {
      v->nvmlReturn = NVML_ERROR_NOT_SUPPORTED;
    }
  }
  LEAVE(NVML_SUCCESS);
}

EXPORT nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t device,
                                                            unsigned int *infoCount,
                                                            nvmlProcessInfo_t *infos) {
  ENTER("nvmlDeviceGetComputeRunningProcesses_v3", device);
  if (infoCount == NULL) LEAVE(NVML_ERROR_INVALID_ARGUMENT);
  if (*infoCount < device->process_count) {
    *infoCount = device->process_count;
    LEAVE(NVML_ERROR_INSUFFICIENT_SIZE);
  }
  if (device->process_count > 0 && infos == NULL) LEAVE(NVML_ERROR_INVALID_ARGUMENT);
  for (unsigned int i = 0; i < device->process_count; i++) infos[i] = device->processes[i];
  *infoCount = device->process_count;
  LEAVE(NVML_SUCCESS);
}

/* ---- control functions for tests ---------------------------------------------------------- */

static struct fake_device *device_at(unsigned int index) {
  return index < MAX_DEVICES ? &devices[index] : NULL;
}

#define CONTROL(index)                          \
  pthread_mutex_lock(&lock);                    \
  struct fake_device *d = device_at(index);     \
  if (d == NULL) {                              \
    pthread_mutex_unlock(&lock);                \
    return -1;                                  \
  }

#define DONE                   \
  pthread_mutex_unlock(&lock); \
  return 0

/** Restores the defaults (and the FAKE_NVML_* environment), forgets errors, calls and init. */
EXPORT void fake_nvml_reset(void) {
  pthread_mutex_lock(&lock);
  reset_locked();
  pthread_mutex_unlock(&lock);
}

EXPORT void fake_nvml_set_device_count(unsigned int count) {
  pthread_mutex_lock(&lock);
  device_count = count > MAX_DEVICES ? MAX_DEVICES : count;
  pthread_mutex_unlock(&lock);
}

/** nvmlInit_v2 returns this code (and does not initialise) until reset. */
EXPORT void fake_nvml_set_init_result(int code) {
  pthread_mutex_lock(&lock);
  init_result = code;
  pthread_mutex_unlock(&lock);
}

/** The named NVML function returns this code from now on; NVML_SUCCESS (0) removes it. */
EXPORT void fake_nvml_set_error(const char *function, int code) {
  pthread_mutex_lock(&lock);
  for (int i = 0; i < error_count; i++) {
    if (strcmp(errors[i].function, function) == 0) {
      errors[i] = errors[--error_count];
      break;
    }
  }
  if (code != NVML_SUCCESS && error_count < MAX_ERRORS) {
    snprintf(errors[error_count].function, sizeof errors[error_count].function, "%s", function);
    errors[error_count].code = code;
    error_count++;
  }
  pthread_mutex_unlock(&lock);
}

/** How often the named NVML function was called since the last reset. */
EXPORT long long fake_nvml_call_count(const char *function) {
  pthread_mutex_lock(&lock);
  long long count = 0;
  for (int i = 0; i < call_slots; i++) {
    if (strcmp(calls[i].function, function) == 0) count = calls[i].count;
  }
  pthread_mutex_unlock(&lock);
  return count;
}

/** nvmlInit_v2 calls not yet balanced by nvmlShutdown. */
EXPORT int fake_nvml_init_refcount(void) {
  pthread_mutex_lock(&lock);
  int count = init_refcount;
  pthread_mutex_unlock(&lock);
  return count;
}

EXPORT int fake_nvml_set_identity(unsigned int index, const char *name, const char *uuid) {
  CONTROL(index);
  snprintf(d->name, sizeof d->name, "%s", name);
  snprintf(d->uuid, sizeof d->uuid, "%s", uuid);
  DONE;
}

/** Energy counter: current value, advance per read, advance per second (mW); supported or not. */
EXPORT int fake_nvml_set_energy(unsigned int index, unsigned long long millijoules,
                                unsigned long long step_per_read_mj,
                                unsigned long long rate_mw, int supported) {
  CONTROL(index);
  d->energy_mj = millijoules;
  d->energy_step_mj = step_per_read_mj;
  d->energy_rate_mw = rate_mw;
  d->energy_carry_mj = 0;
  clock_gettime(CLOCK_MONOTONIC, &d->energy_stamp);
  d->energy_supported = supported;
  DONE;
}

EXPORT int fake_nvml_set_power(unsigned int index, unsigned int milliwatts, int supported) {
  CONTROL(index);
  d->power_mw = milliwatts;
  d->power_supported = supported;
  DONE;
}

/** Instant power field: value and the per-field nvmlReturn (3 = NOT_SUPPORTED). */
EXPORT int fake_nvml_set_instant_power(unsigned int index, unsigned int milliwatts,
                                       int field_result) {
  CONTROL(index);
  d->instant_power_mw = milliwatts;
  d->instant_power_result = field_result;
  DONE;
}

EXPORT int fake_nvml_set_power_limit(unsigned int index, unsigned int milliwatts) {
  CONTROL(index);
  d->power_limit_mw = milliwatts;
  DONE;
}

EXPORT int fake_nvml_set_utilization(unsigned int index, unsigned int gpu, unsigned int memory) {
  CONTROL(index);
  d->util_gpu = gpu;
  d->util_memory = memory;
  DONE;
}

EXPORT int fake_nvml_add_process(unsigned int index, unsigned int pid,
                                 unsigned long long used_gpu_memory,
                                 unsigned int gpu_instance_id, unsigned int compute_instance_id) {
  CONTROL(index);
  if (d->process_count >= MAX_PROCESSES) {
    pthread_mutex_unlock(&lock);
    return -1;
  }
  nvmlProcessInfo_t *p = &d->processes[d->process_count++];
  p->pid = pid;
  p->usedGpuMemory = used_gpu_memory;
  p->gpuInstanceId = gpu_instance_id;
  p->computeInstanceId = compute_instance_id;
  DONE;
}
