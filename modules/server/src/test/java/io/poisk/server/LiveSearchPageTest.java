package io.poisk.server;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.poisk.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The live-search page in Debian's headless Chromium: type letter by letter, see the final results. */
@Tag("browser")
@Tag("model")
class LiveSearchPageTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    Path dataDir;
    @TempDir
    Path profileDir;

    @Test
    void typingShowsFinalResultsWithHighlightedTerms() throws Exception {
        typeAndCheck(Map.of(), null, "live-search.png");
    }

    /** With keys on, the page opened as /?key=<search key> searches over the WebSocket with that key. */
    @Test
    void thePageWorksWithASearchKey() throws Exception {
        String admin = "pk_page-admin-0123456789abcdefghij";
        typeAndCheck(Map.of("auth.admin_key", admin), admin, "live-search-with-key.png");
    }

    private void typeAndCheck(Map<String, String> overrides, String adminKey, String screenshot) throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER), "needs /usr/bin/chromium and /usr/bin/chromedriver");
        System.setProperty("SE_AVOID_STATS", "true");
        try (PoiskServer server = PoiskServer.start(TestServers.config(dataDir, overrides))) {
            ApiClient api = new ApiClient(server.port(), adminKey);
            assertThat(api.put("/collections/pages", null).status()).isEqualTo(201);
            String pageQuery = "";
            if (adminKey != null) {
                String key = api.post("/keys", "{\"scope\":\"search\",\"collections\":[\"pages\"]}").body().path("key").asText();
                assertThat(key).startsWith("pk_");
                pageQuery = "?key=" + key;
            }
            List<Map<String, Object>> docs = List.of(
                    Map.of("id", "volga", "text", "The Volga is the longest river in Europe; it flows into the Caspian Sea."),
                    Map.of("id", "bread", "text", "Rye bread is baked in Russia from sourdough."),
                    Map.of("id", "xss", "text", "<img src=x onerror=alert(1)> chess openings and endgames"));
            assertThat(api.post("/collections/pages/documents", json(Map.of("documents", docs))).status()).isEqualTo(200);

            ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile()).addArguments("--headless", "--no-sandbox",
                    "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1100,800", "--user-data-dir=" + profileDir);
            // An explicit driver executable: Selenium Manager is never asked to download anything.
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
            ChromeDriver driver = new ChromeDriver(service, options);
            try {
                driver.get("http://127.0.0.1:" + server.port() + "/" + pageQuery);
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
                wait.until(d -> !d.findElements(By.cssSelector("#collection option")).isEmpty()
                        && d.findElement(By.id("status")).getText().equals("connected"));
                WebElement box = driver.findElement(By.id("query"));
                String query = "longest river";
                for (char c : query.toCharArray()) {
                    box.sendKeys(String.valueOf(c));
                    Thread.sleep(40);
                }
                wait.until(d -> {
                    WebElement results = d.findElement(By.id("results"));
                    return "final".equals(results.getDomAttribute("data-phase")) && query.equals(results.getDomAttribute("data-query"));
                });
                List<WebElement> hits = driver.findElements(By.cssSelector("#results li"));
                assertThat(hits).hasSize(3);
                assertThat(hits.getFirst().getText()).contains("volga").contains("The Volga is the longest river");
                assertThat(hits.getFirst().findElements(By.tagName("mark")).stream().map(WebElement::getText))
                        .contains("longest", "river");
                // The page searches in the default hybrid mode: fused scores lie in [0, 1], the best hit of both lists at 1.
                assertThat(hits.getFirst().findElement(By.className("score")).getText()).matches("score (0\\.\\d{4}|1\\.0000)");
                // Document markup is shown as text, never parsed.
                assertThat(driver.findElements(By.cssSelector("#results img"))).isEmpty();
                assertThat(driver.findElement(By.id("results")).getText()).contains("<img src=x onerror=alert(1)>");
                assertThat(driver.findElement(By.id("summary")).getText()).contains("3 results");

                File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
                Path target = Path.of("target", screenshot);
                Files.createDirectories(target.getParent());
                Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                driver.quit();
            }
        }
    }
}
