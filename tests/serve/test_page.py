"""srgan serve's page in a real browser (headless Chromium with Selenium, both from the system):
upload a photo, watch the progress, compare, download — the file srgan upscale writes, still there
after the server has gone — and the messages for a corrupt file and a PNG bomb.

SRGAN_SERVE_SCREENSHOT=PATH also saves the page after the upscale there (docs/images/serve_page.png).
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import keras
import pytest
from imagefiles import photo_crop, png_bomb
from PIL import Image
from serverprocess import serving

from srgan_tf.models import build_generator

pytestmark = pytest.mark.slow
pytest.importorskip("fastapi", reason='the serve extra is not installed (pip install "srgan_tf[serve]")')
pytest.importorskip("uvicorn", reason='the serve extra is not installed (pip install "srgan_tf[serve]")')

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install selenium)")
BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
if not (BROWSER and DRIVER):
    pytest.skip(
        "no Chromium and chromedriver on this machine (Debian: apt-get install chromium chromium-driver; "
        "make test installs them where apt-get can)",
        allow_module_level=True,
    )

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

TILE = 32  # several tiles even for the small test photo: the page has progress to show


@pytest.fixture
def browser(tmp_path):
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = BROWSER
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument("--window-size=1200,1100")
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads)})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=DRIVER))
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    yield driver
    driver.quit()


def watch_progress(driver):
    """Records every text the progress line shows, in ``window.progressSeen``."""
    driver.execute_script(
        "window.progressSeen = [];"
        "new MutationObserver(() => window.progressSeen.push(document.getElementById('progress-text').textContent))"
        ".observe(document.getElementById('progress-text'), {childList: true, characterData: true, subtree: true});"
    )


def upload(driver, path, model=None, timeout=120):
    """Chooses ``path``, picks ``model``, presses Upscale; returns the page's final state."""
    driver.find_element(By.ID, "file").send_keys(str(path))
    if model:
        Select(driver.find_element(By.ID, "model")).select_by_value(model)
    driver.execute_script("document.body.dataset.state = '';")
    driver.find_element(By.ID, "go").click()
    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script("return document.body.dataset.state") in ("done", "error")
    )
    return driver.execute_script("return document.body.dataset.state")


def downloaded(folder, name, timeout=30):
    path = folder / name
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and not list(folder.glob("*.crdownload")):
            return path
        time.sleep(0.1)
    raise TimeoutError(f"no {name} in {folder}: {os.listdir(folder)}")


def save_screenshot(driver, slider, path):
    """The whole page, the slider half-way, in a window tall enough for the result at its size."""
    driver.set_window_size(1200, 1300)
    driver.execute_script("arguments[0].value = 50; arguments[0].dispatchEvent(new Event('input'))", slider)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    time.sleep(0.5)  # the resize's re-fit
    driver.save_screenshot(path)
    with Image.open(path) as shot:
        shot.crop((0, 0, shot.width, min(shot.height, height + 8))).save(path, optimize=True)


def test_page_upscales_a_photo_and_downloads_what_srgan_upscale_writes(browser, photos, tmp_path):
    screenshot = os.environ.get("SRGAN_SERVE_SCREENSHOT")
    height, width = (180, 240) if screenshot else (72, 96)  # the screenshot's: the cat's face
    photo = tmp_path / "chelsea_crop.png"
    Image.fromarray(photo_crop(photos[0], height, width, 20, 100)).save(photo)
    with serving(["--no-named", "--model", "srgan-x4", "--tile", str(TILE)], tmp_path / "tmp") as (url, _):
        browser.get(url)
        WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#model option"))
        watch_progress(browser)
        assert upload(browser, photo, "srgan-x4") == "done", browser.find_element(By.ID, "error").text
        tiles = -(-height // TILE) * -(-width // TILE)  # counted on the page
        assert f"tile {tiles} / {tiles}" in browser.execute_script("return window.progressSeen")
        slider = browser.find_element(By.ID, "slider")
        assert slider.is_displayed()
        after = browser.find_element(By.ID, "after")
        assert browser.execute_script("return arguments[0].naturalWidth", after) == 4 * width
        # The slider moves the boundary between bicubic and the model.
        browser.execute_script("arguments[0].value = 30; arguments[0].dispatchEvent(new Event('input'))", slider)
        assert "70%" in browser.find_element(By.ID, "before").value_of_css_property("clip-path")
        browser.find_element(By.ID, "zoom-100").click()  # one image pixel per CSS pixel
        assert browser.find_element(By.ID, "stage").size["width"] == 4 * width
        browser.find_element(By.ID, "zoom-fit").click()
        if screenshot:
            save_screenshot(browser, slider, screenshot)
    # The server is gone (as a dropped job would be): the page kept the result it showed.
    assert browser.find_element(By.ID, "download").get_attribute("href").startswith("blob:")
    browser.find_element(By.ID, "download").click()
    served = downloaded(browser.downloads, "chelsea_crop_x4.png")
    cli = subprocess.run(
        [sys.executable, "-m", "srgan_tf.cli", "upscale", str(photo), "--model", "srgan-x4", "--tile", str(TILE)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert cli.returncode == 0, cli.stderr
    assert served.read_bytes() == (tmp_path / "chelsea_crop_x4.png").read_bytes()  # byte for byte


def test_page_shows_why_a_file_is_refused_and_keeps_serving(browser, photos, tmp_path):
    keras.utils.set_random_seed(5)
    model = tmp_path / "tiny.keras"
    build_generator(4, 1, 8).save(model)
    corrupt = tmp_path / "corrupt.jpg"
    Image.fromarray(photo_crop(photos[0], 64, 64)).save(corrupt, quality=90)
    corrupt.write_bytes(corrupt.read_bytes()[:1200])  # a sound header, the image data cut short
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_bomb(10000, 10000))
    text = tmp_path / "notes.png"
    text.write_text("this is a text file, not a PNG\n")
    good = tmp_path / "good.png"
    Image.fromarray(photo_crop(photos[0], 40, 56)).save(good)
    with serving(["--no-named", "--model", str(model)], tmp_path / "tmp") as (url, _):
        browser.get(url)
        WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#model option"))
        error = browser.find_element(By.ID, "error")
        for path, words in [
            (corrupt, "corrupt.jpg: cannot decode"),
            (bomb, "image too large: 10000x10000"),
            (text, "notes.png: not a recognised image file"),
        ]:
            assert upload(browser, path) == "error"
            WebDriverWait(browser, 5).until(expected_conditions.visibility_of(error))
            assert words in error.text and "\n" not in error.text
        assert upload(browser, good) == "done"  # still serving
        assert not error.is_displayed()
        assert Path(browser.find_element(By.ID, "download").get_attribute("download")).name == "good_x4.png"
