package io.postino.tlsrpt;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.TreeSet;

/** The JSON Schema of an RFC 8460 aggregate report (test resource), with formats asserted. */
final class ReportSchema {

  private static final JsonSchema SCHEMA;

  static {
    try (InputStream in = ReportSchema.class.getResourceAsStream("/tlsrpt/rfc8460-report.schema.json")) {
      SCHEMA = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7)
          .getSchema(in, SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private ReportSchema() {
  }

  /** What the schema finds wrong with {@code report}; empty when it is valid. */
  static Set<String> problems(JsonObject report) {
    try {
      Set<String> problems = new TreeSet<>();
      for (ValidationMessage m : SCHEMA.validate(new ObjectMapper().readTree(report.encode()))) {
        problems.add(m.getMessage());
      }
      return problems;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
