package io.poisk.server.wire;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.poisk.core.SearchMode;
import io.poisk.engine.SearchDefaults;
import io.poisk.index.Fusion;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** One fusion default: what a body leaves out is SearchDefaults', never the index's own RRF or 0.5/0.5. */
class FusionDecoderTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Fusion decode(String json) throws Exception {
        return FusionDecoder.decode(json == null ? null : JSON.readTree(json), SearchMode.HYBRID);
    }

    @Test
    void leftOutPartsTakeTheOneDefault() throws Exception {
        assertThat(decode(null)).as("no fusion: the planner applies SearchDefaults.FUSION").isNull();
        assertThat(decode("{\"method\":\"weighted\"}")).isEqualTo(SearchDefaults.FUSION);
        assertThat(decode("{\"method\":\"weighted\",\"dense\":0.5}")).isEqualTo(new Fusion.Weighted(0.5, SearchDefaults.FUSION.lexical()));
        assertThat(decode("{\"method\":\"weighted\",\"lexical\":0.3}")).isEqualTo(new Fusion.Weighted(SearchDefaults.FUSION.dense(), 0.3));
        assertThat(decode("{\"method\":\"rrf\"}")).isEqualTo(new Fusion.Rrf(SearchDefaults.RRF_K));
        assertThat(new RequestDecoder(ApiLimits.from(io.poisk.core.PoiskConfig.defaults())).search("{\"query\":\"q\"}".getBytes()).mode()).isEqualTo(SearchDefaults.MODE);
        assertThat(new RequestDecoder(ApiLimits.from(io.poisk.core.PoiskConfig.defaults())).search("{\"query\":\"q\"}".getBytes()).k()).isEqualTo(SearchDefaults.K);
    }
}
