pytest_plugins = ["tests.fixtures.servers", "tests.fixtures.database", "tests.fixtures.smtp",
                  "tests.fixtures.fhir"]
