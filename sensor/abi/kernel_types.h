#pragma once
// The shared ABI for user space: kernel fixed-width types, then sensor_abi.h.

#include <linux/types.h>

#include "sensor/abi/sensor_abi.h"
