#pragma once
// NodeSensor from and to JSON. The sensor writes it (to_json of the status subresource);
// the controller reads it (decode_node_sensor) to sum SecurityPolicy.status.runtime.

#include <nlohmann/json.hpp>

#include "api/field_error.h"
#include "api/node_sensor.h"
#include "api/security_policy_codec.h"

namespace castellan::api {

// Parses apiVersion, kind, metadata and status; wrong types are errors with their path,
// unknown status fields are ignored (a newer sensor may report more). Never throws.
Decoded<NodeSensor> decode_node_sensor(const nlohmann::json& object);

// The status as the API server stores it (the `status` subresource body).
nlohmann::json to_json(const NodeSensorStatus& status);
// A whole NodeSensor object, ready to create.
nlohmann::json to_json(const NodeSensor& sensor);

}  // namespace castellan::api
