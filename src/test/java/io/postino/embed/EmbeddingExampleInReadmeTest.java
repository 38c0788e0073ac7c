package io.postino.embed;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README shows the embedding example that `verify` builds and runs against the plain jar
 * (src/it/embedding), whole and unchanged, so that what a reader copies compiles.
 */
class EmbeddingExampleInReadmeTest {

  @Test
  void theReadmeShowsTheExampleTheBuildCompiles() throws IOException {
    String example = Files.readString(
        Path.of("src/it/embedding/src/main/java/com/example/mail/MailReceiver.java"));
    String readme = Files.readString(Path.of("README.md"));
    assertTrue(readme.contains("```java\n" + example + "```\n"),
        "README.md, \"Embedding\", shows src/it/embedding/.../MailReceiver.java as it is");
  }
}
