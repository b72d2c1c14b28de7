package io.jouleflow.predictor.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Store URLs in messages and logs never show a password. */
class SampleStoreRedactionTest {

  @Test
  void aPasswordParameterBecomesStars() {
    assertThat(SampleStore.redacted(
            "jdbc:postgresql://db:5432/samples?user=jf&password=s3cret&ssl=true"))
        .isEqualTo("jdbc:postgresql://db:5432/samples?user=jf&password=***&ssl=true");
    assertThat(SampleStore.redacted("jdbc:postgresql://db/samples?PASSWORD=s3cret"))
        .isEqualTo("jdbc:postgresql://db/samples?PASSWORD=***");
    assertThat(SampleStore.redacted("jdbc:postgresql://db/s?sslpassword=s3cret&user=jf"))
        .isEqualTo("jdbc:postgresql://db/s?sslpassword=***&user=jf");
  }

  @Test
  void aPasswordPropertyAfterASemicolonBecomesStars() {
    assertThat(SampleStore.redacted("jdbc:sqlserver://db:1433;user=jf;password=s3cret;db=x"))
        .isEqualTo("jdbc:sqlserver://db:1433;user=jf;password=***;db=x");
  }

  @Test
  void aPasswordInTheUserInfoBecomesStars() {
    assertThat(SampleStore.redacted("jdbc:mysql://jf:s3cret@db:3306/samples"))
        .isEqualTo("jdbc:mysql://jf:***@db:3306/samples");
    assertThat(SampleStore.redacted("jdbc:postgresql://jf:p%40ss@db1:5432,db2:5432/s?x=1"))
        .isEqualTo("jdbc:postgresql://jf:***@db1:5432,db2:5432/s?x=1");
  }

  @Test
  void urlsWithoutAPasswordAreUnchanged() {
    for (String url : new String[] {
        "jdbc:sqlite:/home/a/.jouleflow/samples.db",
        "jdbc:postgresql://db1:5432,db2:5432/samples?user=jf",
        "jdbc:mysql://jf@db/samples"}) {
      assertThat(SampleStore.redacted(url)).isEqualTo(url);
    }
  }

  @Test
  void errorMessagesShowTheRedactedUrl() {
    String url = "jdbc:nonsense://jf:s3cret@db/samples?password=s3cret";
    assertThatThrownBy(() -> SampleStore.open(url))
        .isInstanceOf(SampleStoreException.class)
        .hasMessageStartingWith(
            "cannot open sample store jdbc:nonsense://jf:***@db/samples?password=***: ")
        .hasMessageNotContaining("s3cret");
  }
}
