#include "manager_options.h"

#include <gtest/gtest.h>

namespace castellan::manager {
namespace {

// Verifies that the documented standalone command line parses into its settings.
TEST(ManagerOptionsTest, ParsesStandaloneFlags) {
  auto o = parse_manager_options({"--standalone", "--policies", "dir", "--webhook-port=8443",
                                  "--tls-cert", "c.pem", "--tls-key", "k.pem", "--threads", "4"});
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_TRUE(o->standalone);
  EXPECT_EQ(o->policies_dir, "dir");
  EXPECT_EQ(o->webhook_port, 8443);
  EXPECT_EQ(o->tls_cert, "c.pem");
  EXPECT_EQ(o->tls_key, "k.pem");
  EXPECT_EQ(o->threads, 4);
}

// Verifies that --help wins over everything else.
TEST(ManagerOptionsTest, HelpNeedsNothingElse) {
  auto o = parse_manager_options({"--bogus", "--help"});
  EXPECT_FALSE(o.ok()) << "flags before --help are still checked";
  o = parse_manager_options({"--help"});
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->help);
}

// Verifies that each kind of bad flag gets an error naming the flag.
TEST(ManagerOptionsTest, NamesTheBadFlag) {
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  for (const auto& c : std::vector<Case>{
           {{"--standalone", "--policies", "d", "--webhook-port", "70000"}, "--webhook-port"},
           {{"--standalone", "--policies", "d", "--threads", "two"}, "--threads"},
           {{"--standalone", "--policies", "d", "--tls-cert", "c"}, "--tls-key"},
           {{"--standalone"}, "--policies"},
           {{"--policies", "d"}, "--standalone"},
           {{"--standalone", "--policies"}, "--policies needs a value"},
           {{"--standalone", "--policies", "d", "--frobnicate"}, "unknown flag --frobnicate"},
           {{"--standalone", "--policies", "d", "--log-level", "loud"}, "--log-level"}}) {
    auto o = parse_manager_options(c.args);
    ASSERT_FALSE(o.ok()) << c.expected;
    EXPECT_NE(o.error().message.find(c.expected), std::string::npos) << o.error().message;
  }
}

// Verifies that the help text documents every flag the parser accepts.
TEST(ManagerOptionsTest, HelpDocumentsEveryFlag) {
  for (const char* flag : {"--standalone", "--policies", "--webhook-port", "--bind-address",
                           "--tls-cert", "--tls-key", "--cert-dir", "--threads",
                           "--max-connections", "--reload-interval-ms", "--drain-timeout",
                           "--log-level", "--log-format", "--help"}) {
    EXPECT_NE(std::string(kHelp).find(flag), std::string::npos) << flag;
  }
}

// Verifies that the sensor's namespace, which the manager never gates nor acts on, is
// castellan-sensor unless --sensor-namespace names another, and is documented.
TEST(ManagerOptionsTest, SensorNamespace) {
  auto o = parse_manager_options({});
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ(o->sensor_namespace, "castellan-sensor");
  o = parse_manager_options({"--sensor-namespace=sec-sensor", "--namespace", "sec-manager"});
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ(o->sensor_namespace, "sec-sensor");
  EXPECT_EQ(o->namespace_, "sec-manager");
  o = parse_manager_options({"--sensor-namespace="});
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.error().message.find("--sensor-namespace"), std::string::npos);
  EXPECT_NE(std::string(kHelp).find("--sensor-namespace"), std::string::npos);
}

}  // namespace
}  // namespace castellan::manager
