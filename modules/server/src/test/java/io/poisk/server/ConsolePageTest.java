package io.poisk.server;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
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
import java.util.concurrent.atomic.AtomicBoolean;

import static io.poisk.server.ApiClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The operator console (/ui/console.html) in Debian's headless Chromium against a real server taking searches:
 * the charts get data points from the live /metrics, the collections table shows the documents. A screenshot
 * goes to target/console.png.
 */
@Tag("browser")
@Tag("model")
class ConsolePageTest {
    @TempDir
    Path dataDir;
    @TempDir
    Path profileDir;

    @Test
    void chartsDrawLiveMetrics() throws Exception {
        assumeTrue(Files.isExecutable(LiveSearchPageTest.CHROMIUM) && Files.isExecutable(LiveSearchPageTest.CHROMEDRIVER),
                "needs /usr/bin/chromium and /usr/bin/chromedriver");
        System.setProperty("SE_AVOID_STATS", "true");
        try (PoiskServer server = PoiskServer.start(TestServers.config(dataDir, Map.of("log.access", "false")))) {
            ApiClient api = new ApiClient(server.port());
            assertThat(api.put("/collections/console", null).status()).isEqualTo(201);
            assertThat(api.post("/collections/console/documents", json(Map.of("documents", List.of(
                    Map.of("id", "volga", "text", "The Volga is the longest river in Europe."),
                    Map.of("id", "bread", "text", "Rye bread is baked in Russia from sourdough."),
                    Map.of("id", "chess", "text", "Chess openings and endgames."))))).status()).isEqualTo(200);
            // searches keep arriving while the page polls, so throughput and latency have points (bounded: 60 s, then stop)
            AtomicBoolean stop = new AtomicBoolean();
            Thread load = Thread.ofPlatform().daemon().start(() -> {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                for (int i = 0; !stop.get() && System.nanoTime() < deadline; i++) {
                    api.post("/collections/console/search", json(Map.of("query", "river " + (i % 50))));
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });

            ChromeOptions options = new ChromeOptions().setBinary(LiveSearchPageTest.CHROMIUM.toFile()).addArguments("--headless", "--no-sandbox",
                    "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1100,1000", "--user-data-dir=" + profileDir);
            ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(LiveSearchPageTest.CHROMEDRIVER.toFile()).build();
            ChromeDriver driver = new ChromeDriver(service, options);
            try {
                driver.get("http://127.0.0.1:" + server.port() + "/ui/console.html");
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(45));
                wait.until(d -> points(d, "chart-throughput") >= 3 && points(d, "chart-latency") >= 2 && points(d, "chart-http") >= 3);
                assertThat(points(driver, "chart-queue")).isGreaterThanOrEqualTo(3);
                List<WebElement> rows = driver.findElements(By.cssSelector("#collections tbody tr"));
                assertThat(rows).hasSize(1);
                assertThat(rows.getFirst().getText()).startsWith("console ready e5-small-v2 3 0");
                assertThat(driver.findElement(By.id("queues")).getText()).contains("embedding queue e5-small-v2");
                assertThat(driver.findElement(By.id("status")).getText()).startsWith("updated");

                File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
                Path target = Path.of("target", "console.png");
                Files.createDirectories(target.getParent());
                Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                stop.set(true);
                load.join(Duration.ofSeconds(10));
                driver.quit();
            }
        }
    }

    private static int points(WebDriver d, String canvas) {
        String p = d.findElement(By.id(canvas)).getDomAttribute("data-points");
        return p == null ? 0 : Integer.parseInt(p);
    }
}
