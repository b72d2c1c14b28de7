package example.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ServiceOptionsTest {

  @Test
  void noArgumentsGiveTheDocumentedDefaults() {
    assertThat(ServiceOptions.parse())
        .isEqualTo(new ServiceOptions(8080, Path.of("example-models/tiny_resnet"), 4, 64));
  }

  @Test
  void everyOptionIsParsed() {
    ServiceOptions options =
        ServiceOptions.parse(
            "--port", "0", "--model-dir", "/tmp/m", "--threads", "2", "--input-size", "16");

    assertThat(options).isEqualTo(new ServiceOptions(0, Path.of("/tmp/m"), 2, 16));
  }

  @Test
  void unknownOptionsMissingValuesAndBadNumbersAreRejected() {
    assertThatIllegalArgumentException().isThrownBy(() -> ServiceOptions.parse("--colour", "red"));
    assertThatIllegalArgumentException().isThrownBy(() -> ServiceOptions.parse("--port"));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ServiceOptions.parse("--threads", "many"));
    assertThatIllegalArgumentException().isThrownBy(() -> ServiceOptions.parse("--port", "70000"));
    assertThatIllegalArgumentException().isThrownBy(() -> ServiceOptions.parse("--threads", "0"));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ServiceOptions.parse("--input-size", "1"));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ServiceOptions.parse("--input-size", "1025"));
  }

  @Test
  void usageDocumentsEveryOption() {
    assertThat(ServiceOptions.USAGE)
        .contains("--port", "--model-dir", "--threads", "--input-size", "--help");
  }
}
