package io.jouleflow.predictor.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which failures are permanent (trying again cannot help: the agent turns feedback off) and which
 * are transient (the agent retries with growing pauses).
 */
class SampleStoreFailureKindTest {

  private static final String POSTGRES = System.getenv("JOULEFLOW_TEST_POSTGRES_URL");

  @TempDir Path dir;

  private static SampleStoreException openFailure(String url) {
    return catchThrowableOfType(() -> SampleStore.open(url), SampleStoreException.class);
  }

  @Test
  void aUrlNoDriverTakesIsPermanent() {
    SampleStoreException e = openFailure("jdbc:nonsense");
    assertThat(e).hasMessageContaining("no JDBC driver takes this URL");
    assertThat(e.badInput()).isTrue();
    assertThat(e.permanent()).isTrue();
  }

  @Test
  void aMalformedPostgresqlUrlIsPermanent() {
    assertThat(openFailure("jdbc:postgresql://127.0.0.1:notaport/x").permanent()).isTrue();
    assertThat(openFailure("/tmp/samples.db").permanent()).isTrue();
  }

  @Test
  void aReadOnlyStoreIsPermanent() {
    String file = dir.resolve("ro.db").toString();
    SampleStore.open("jdbc:sqlite:" + file).close();
    assertThat(openFailure("jdbc:sqlite:" + file + "?open_mode=1").permanent()).isTrue();
  }

  @Test
  void aFileWhereTheFolderShouldBeIsPermanent() throws Exception {
    Path file = Files.createFile(dir.resolve("plain"));
    assertThat(openFailure("jdbc:sqlite:" + file.resolve("sub/s.db")).permanent()).isTrue();
  }

  @Test
  void aRefusedConnectionIsTransient() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    SampleStoreException e = openFailure("jdbc:postgresql://127.0.0.1:" + port + "/x?user=u");
    assertThat(e.permanent()).as(e.getMessage()).isFalse();
  }

  @Test
  void anUnknownDatabaseOrRoleIsPermanent() {
    assumeTrue(POSTGRES != null, "no PostgreSQL: .ci/run starts one (JOULEFLOW_TEST_POSTGRES_URL)");
    String server = POSTGRES.substring(0, POSTGRES.lastIndexOf('/'));
    SampleStoreException noDatabase = openFailure(server + "/no_such_db?user=postgres");
    assertThat(noDatabase).hasMessageContaining("no_such_db");
    assertThat(noDatabase.permanent()).isTrue();
    SampleStoreException noRole = openFailure(server + "/jouleflow?user=no_such_role");
    assertThat(noRole).hasMessageContaining("no_such_role");
    assertThat(noRole.permanent()).isTrue();
  }
}
