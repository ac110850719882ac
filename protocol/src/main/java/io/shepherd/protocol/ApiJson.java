package io.shepherd.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The JSON of the HTTP API, the same on the server and in the Java client: times as ISO-8601
 * ({@code 2026-11-22T10:15:30.123Z}), durations as ISO-8601 ({@code PT10S}; numbers are read as
 * seconds), enums case-insensitively, an unknown field refused, and the read limits of the wire
 * (nesting, string and number length). A client reads answers and events with
 * {@link #clientMapper()}, which skips a field it does not know: a newer member's, so that members
 * can be upgraded before the programs that use them.
 */
public final class ApiJson {

  private ApiJson() {}

  /** Deepest nesting of objects and arrays read, on the wire and in the API. */
  public static final int MAX_NESTING = 64;
  /** Longest string read, in characters. */
  public static final int MAX_STRING = 2 * 1024 * 1024;
  /** Longest number read, in digits. */
  public static final int MAX_NUMBER = 64;

  /** A new mapper with the API's settings; thread-safe once made. */
  public static ObjectMapper mapper() {
    return builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
  }

  /** A new mapper for a client of the API: its settings, but a field of an answer or event it does not know is skipped. */
  public static ObjectMapper clientMapper() {
    return builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
  }

  private static JsonMapper.Builder builder() {
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(MAX_NESTING)
            .maxStringLength(MAX_STRING)
            .maxNumberLength(MAX_NUMBER)
            .build())
        .build();
    return JsonMapper.builder(factory)
        .addModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
        .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS);
  }
}
