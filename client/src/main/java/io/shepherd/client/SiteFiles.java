package io.shepherd.client;

import io.shepherd.protocol.Api;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.ManagerProtocol;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Site files for {@link ShepherdClient#apply(Path)}: read locally, then sent as text to be checked and applied (or planned). */
final class SiteFiles {

  private SiteFiles() {}

  /** Applies (or with {@code dryRun}, plans) the text of a site file named {@code source} in messages. */
  static CompletableFuture<ManagerProtocol.SiteApplied> apply(Http http, Duration timeout, String text, String source, boolean dryRun) {
    if (text == null || source == null) {
      return Calls.invalid("a site file's text and name are required");
    }
    String query = "?source=" + URLEncoder.encode(source, StandardCharsets.UTF_8) + (dryRun ? "&dry-run=true" : "");
    return http.send("POST", Api.PREFIX + "/site" + query, text.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8", timeout)
        .thenApply(body -> read(http, body))
        .thenApply(plan -> new ManagerProtocol.SiteApplied(plan.added(), plan.changed(), plan.removed(), plan.unchanged()));
  }

  private static Api.SitePlan read(Http http, byte[] body) {
    try {
      return http.json().readValue(body, Api.SitePlan.class);
    } catch (IOException e) {
      throw new CompletionException(new ShepherdException(ErrorCode.INTERNAL, "cannot read the API's answer: " + e.getMessage()));
    }
  }

  /** The text of a site file, or a stage failed saying why it is none. */
  static CompletableFuture<String> read(Path file) {
    if (file == null) {
      return Calls.invalid("a site file is required");
    }
    if (Files.isDirectory(file)) {
      return Calls.invalid("site file " + file + " is a directory, not a site file");
    }
    if (!Files.isRegularFile(file)) {
      return Calls.invalid("site file " + file + ": no such file");
    }
    try {
      return CompletableFuture.completedFuture(Files.readString(file));
    } catch (CharacterCodingException | UncheckedIOException e) {
      return Calls.invalid("site file " + file + " is not a UTF-8 text file; a site file is HOCON text");
    } catch (IOException e) {
      return Calls.invalid("site file " + file + " cannot be read: " + e.getMessage());
    }
  }
}
