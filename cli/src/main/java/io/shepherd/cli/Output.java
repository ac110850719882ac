package io.shepherd.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shepherd.protocol.ApiJson;

/** What the CLI prints as JSON: the API's own JSON, so {@code status --json} is what {@code GET /api/v1/status} answers. */
final class Output {

  private static final ObjectMapper JSON = ApiJson.mapper();

  private Output() {}

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }
}
