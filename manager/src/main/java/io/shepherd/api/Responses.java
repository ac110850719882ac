package io.shepherd.api;

import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.headers.RawHeader;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shepherd.protocol.Api;
import io.shepherd.protocol.ApiJson;
import io.shepherd.protocol.ErrorCode;
import java.util.Locale;

/** The API's answers: JSON, problem JSON (RFC 9457), and Server-Sent Event streams. */
public final class Responses {

  /** The API's JSON mapper (see {@link ApiJson}). */
  public static final ObjectMapper JSON = ApiJson.mapper();

  private static final ContentType PROBLEM = ContentTypes.parse(Api.PROBLEM_JSON);
  private static final ContentType EVENT_STREAM = MediaTypes.TEXT_EVENT_STREAM.toContentType();

  private Responses() {}

  /** {@code value} as JSON with {@code status}. */
  public static HttpResponse json(int status, Object value) {
    return HttpResponse.create().withStatus(status).withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, bytes(value)));
  }

  public static HttpResponse ok(Object value) {
    return json(200, value);
  }

  /** Plain text, e.g. the Prometheus exposition format. */
  public static HttpResponse text(String contentType, byte[] body) {
    return HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.parse(contentType), body));
  }

  /** An error as problem JSON, with {@code Retry-After} where a retry may succeed, and {@code WWW-Authenticate} for 401. */
  public static HttpResponse problem(ApiException e) {
    String title = e.code().name().toLowerCase(Locale.ROOT).replace('_', '-');
    HttpResponse response = HttpResponse.create().withStatus(e.status()).withEntity(HttpEntities.create(PROBLEM,
        bytes(new Api.Problem("https://shepherd.io/problems/" + title, title.replace('-', ' '), e.status(), e.getMessage(),
            e.code().name()))));
    if (e.retryAfterSeconds() != null) {
      response = response.addHeader(RawHeader.create("Retry-After", e.retryAfterSeconds().toString()));
    }
    if (e.code() == ErrorCode.UNAUTHORIZED) {
      response = response.addHeader(RawHeader.create("WWW-Authenticate", "Bearer realm=\"shepherd\""));
    }
    return response;
  }

  /** A stream of Server-Sent Events: each element is one or more complete events ({@code id:}, {@code event:}, {@code data:}). */
  public static HttpResponse sse(Source<ByteString, ?> events) {
    return HttpResponse.create().withEntity(HttpEntities.createChunked(EVENT_STREAM, events))
        .addHeader(RawHeader.create("Cache-Control", "no-cache"))
        .addHeader(RawHeader.create("X-Accel-Buffering", "no"));
  }

  static byte[] bytes(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }
}
