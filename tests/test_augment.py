"""Tests for :mod:`course.augment` (data augmentation / データ集合の拡張)."""

from __future__ import annotations

import numpy as np
import pytest

from course.augment import (
    Augmenter,
    augment_dataset,
    gaussian_noise,
    horizontal_flip,
    random_crop,
    random_crop_lecture,
    random_rotation,
    random_shift,
    rotate,
)

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def position_image(h: int = 5, w: int = 6, c: int = 2) -> np.ndarray:
    """(h, w, c) image whose value encodes its position: 100*i + 10*j + k."""
    i, j, k = np.meshgrid(np.arange(h), np.arange(w), np.arange(c), indexing="ij")
    return (100 * i + 10 * j + k).astype(np.float64)


def crop_offset(crop: np.ndarray) -> tuple[int, int]:
    v = int(crop[0, 0, 0])
    return v // 100, (v // 10) % 10


def synthetic_digits(n: int = 50, border: int = 6, seed: int = 0, dtype=np.float32) -> np.ndarray:
    """(n, 28, 28) random strokes inside a centre box, empty border of width ``border``."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, 28, 28), dtype=dtype)
    inner = 28 - 2 * border
    x[:, border : 28 - border, border : 28 - border] = (rng.random((n, inner, inner)) > 0.6) * rng.random(
        (n, inner, inner)
    )
    return x


def find_shift(original: np.ndarray, shifted: np.ndarray, max_shift: int) -> tuple[int, int] | None:
    """The (dy, dx) with shifted[i, j] == original[i + dy, j + dx] (zero outside), if any."""
    h, w = original.shape
    s = max_shift
    padded = np.pad(original, s)
    for dy in range(-s, s + 1):
        for dx in range(-s, s + 1):
            window = padded[s + dy : s + dy + h, s + dx : s + dx + w]
            if np.allclose(window, shifted, atol=1e-5):
                return dy, dx
    return None


def gaussian_blob(size: int = 28, sigma: float = 3.0) -> np.ndarray:
    c = (size - 1) / 2.0
    i, j = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
    return np.exp(-((i - c) ** 2 + (j - c) ** 2) / (2 * sigma**2))


# ---------------------------------------------------------------------------
# random_crop
# ---------------------------------------------------------------------------


def test_random_crop_shape_and_dtype() -> None:
    img = np.zeros((32, 40, 3), dtype=np.uint8)
    out = random_crop(img, (24, 30), rng=0)
    assert out.shape == (24, 30, 3)
    assert out.dtype == np.uint8


def test_random_crop_reaches_every_offset_and_content_matches_slice() -> None:
    img = position_image(5, 6, 2)
    crop_h, crop_w = 3, 4
    rng = np.random.default_rng(0)
    seen = set()
    for _ in range(400):
        crop = random_crop(img, (crop_h, crop_w), rng=rng)
        top, left = crop_offset(crop)
        np.testing.assert_array_equal(crop, img[top : top + crop_h, left : left + crop_w, :])
        seen.add((top, left))
    expected = {(t, l) for t in range(5 - crop_h + 1) for l in range(6 - crop_w + 1)}
    assert seen == expected  # includes the last offsets (2, 2), unreachable in the lecture version


def test_random_crop_equal_size_returns_the_image_as_a_copy() -> None:
    img = position_image(4, 4, 1)
    out = random_crop(img, (4, 4), rng=1)
    np.testing.assert_array_equal(out, img)
    out[0, 0, 0] = -1.0
    assert img[0, 0, 0] == 0.0  # the caller's image is untouched


def test_random_crop_one_axis_full() -> None:
    img = position_image(5, 6, 1)
    tops = {crop_offset(random_crop(img, (5, 2), rng=s))[0] for s in range(30)}
    assert tops == {0}


def test_random_crop_lecture_misses_last_offset() -> None:
    img = position_image(5, 6, 2)
    crop_h, crop_w = 3, 4
    rng = np.random.default_rng(0)
    seen = {crop_offset(random_crop_lecture(img, (crop_h, crop_w), rng=rng)) for _ in range(400)}
    # randint-style exclusive bound: top in {0, 1}, left in {0, 1}; 2 never appears
    assert seen == {(t, l) for t in range(5 - crop_h) for l in range(6 - crop_w)}
    assert max(t for t, _ in seen) == 5 - crop_h - 1


@pytest.mark.parametrize("size", [(5, 6), (5, 3), (2, 6)])
def test_random_crop_lecture_equal_size_raises_clear_error(size: tuple[int, int]) -> None:
    img = position_image(5, 6, 1)
    with pytest.raises(ValueError, match="off-by-one"):
        random_crop_lecture(img, size, rng=0)


@pytest.mark.parametrize("func", [random_crop, random_crop_lecture])
@pytest.mark.parametrize(
    ("image", "crop_size", "exc", "match"),
    [
        (np.zeros((5, 6, 1)), (6, 2), ValueError, "crop_size"),  # taller than the image
        (np.zeros((5, 6, 1)), (2, 7), ValueError, "crop_size"),  # wider than the image
        (np.zeros((5, 6)), (2, 2), ValueError, "image"),  # 2-D
        (np.zeros((1, 5, 6, 1)), (2, 2), ValueError, "image"),  # 4-D
        (np.zeros((5, 6, 1)), (0, 2), ValueError, "crop_h"),
        (np.zeros((5, 6, 1)), (2, -1), ValueError, "crop_w"),
        (np.zeros((5, 6, 1)), (2.0, 2), TypeError, "crop_h"),
        (np.zeros((5, 6, 1)), (2, True), TypeError, "crop_w"),
        (np.zeros((5, 6, 1)), 3, TypeError, "crop_size"),
        (np.zeros((5, 6, 1)), "ab", TypeError, "crop_size"),
        (np.zeros((5, 6, 1)), (1, 2, 3), ValueError, "crop_size"),
        (np.full((5, 6, 1), np.nan), (2, 2), ValueError, "image"),
        ("not an image", (2, 2), TypeError, "image"),
    ],
)
def test_random_crop_bad_input(func, image, crop_size, exc, match) -> None:
    with pytest.raises(exc, match=match):
        func(image, crop_size, rng=0)


def test_random_crop_bad_rng() -> None:
    with pytest.raises(TypeError, match="rng"):
        random_crop(np.zeros((5, 6, 1)), (2, 2), rng="seed")


def test_random_crop_determinism() -> None:
    img = position_image(8, 8, 1)

    def draws(seed: int) -> list[tuple[int, int]]:
        gen = np.random.default_rng(seed)
        return [crop_offset(random_crop(img, (3, 3), rng=gen)) for _ in range(20)]

    assert draws(5) == draws(5)
    assert draws(5) != draws(6)
    np.testing.assert_array_equal(random_crop(img, (3, 3), rng=7), random_crop(img, (3, 3), rng=7))


# ---------------------------------------------------------------------------
# layouts shared by the batch transforms
# ---------------------------------------------------------------------------

LAYOUTS = {
    "flat": lambda x: x.reshape(len(x), 784),
    "nchw": lambda x: x.reshape(len(x), 1, 28, 28),
    "nhw": lambda x: x,
}

TRANSFORMS = {
    "shift": lambda x, rng: random_shift(x, 2, rng),
    "rotation": lambda x, rng: random_rotation(x, 15.0, rng),
    "noise": lambda x, rng: gaussian_noise(x, 0.1, rng),
    "flip": lambda x, rng: horizontal_flip(x, 0.5, rng),
    "augmenter": lambda x, rng: Augmenter(shift=2, rotation=10.0, noise_std=0.05, flip_p=0.5)(x, rng),
}


@pytest.mark.parametrize("name", TRANSFORMS)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_transforms_keep_shape_dtype_and_input(name: str, layout: str, dtype) -> None:
    x = LAYOUTS[layout](synthetic_digits(20, dtype=dtype))
    before = x.copy()
    x.flags.writeable = False  # any in-place write to the input would raise
    out = TRANSFORMS[name](x, np.random.default_rng(0))
    assert out.shape == x.shape
    assert out.dtype == x.dtype
    assert not np.shares_memory(out, x)
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("name", TRANSFORMS)
def test_transforms_same_result_in_every_layout(name: str) -> None:
    x = synthetic_digits(10)
    results = [
        TRANSFORMS[name](to_layout(x), np.random.default_rng(3)).reshape(10, 28, 28)
        for to_layout in LAYOUTS.values()
    ]
    for other in results[1:]:
        np.testing.assert_array_equal(results[0], other)


@pytest.mark.parametrize("name", TRANSFORMS)
def test_transforms_determinism(name: str) -> None:
    x = synthetic_digits(30)
    a = TRANSFORMS[name](x, np.random.default_rng(42))
    b = TRANSFORMS[name](x, 42)  # an int seed is the same as default_rng(seed)
    c = TRANSFORMS[name](x, np.random.default_rng(43))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_transforms_leave_global_numpy_random_alone() -> None:
    np.random.seed(123)
    state = np.random.get_state()[1].copy()
    x = synthetic_digits(5)
    for func in TRANSFORMS.values():
        func(x, 0)
    random_crop(position_image(), (2, 2), rng=0)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_single_28x28_image_is_accepted() -> None:
    img = synthetic_digits(1)[0]
    assert random_shift(img, 2, rng=0).shape == (28, 28)
    assert random_rotation(img, 10.0, rng=0).shape == (28, 28)
    np.testing.assert_array_equal(horizontal_flip(img, 1.0, rng=0), img[:, ::-1])


@pytest.mark.parametrize(
    ("images", "exc"),
    [
        (np.zeros((4, 100), dtype=np.float32), ValueError),  # flat but not 784 pixels
        (np.zeros((4, 1, 28, 28, 1), dtype=np.float32), ValueError),
        (np.zeros(784, dtype=np.float32), ValueError),
        (np.zeros((4, 784), dtype=np.uint8), TypeError),  # integer pixels
        (np.full((4, 784), np.nan, dtype=np.float32), ValueError),
        (np.zeros((0, 784), dtype=np.float32), ValueError),
    ],
)
@pytest.mark.parametrize("name", ["shift", "rotation", "flip", "augmenter"])
def test_transforms_reject_bad_images(images, exc, name: str) -> None:
    with pytest.raises(exc, match="images|x_batch"):
        TRANSFORMS[name](images, 0)


# ---------------------------------------------------------------------------
# random_shift
# ---------------------------------------------------------------------------


def test_shift_is_an_integer_translation_preserving_mass() -> None:
    x = synthetic_digits(300, border=4)  # synthetic digits inside a 4-pixel empty border
    out = random_shift(x, 4, rng=0)
    np.testing.assert_allclose(out.sum(axis=(1, 2)), x.sum(axis=(1, 2)), rtol=1e-5)
    shifts = [find_shift(x[i], out[i], 4) for i in range(40)]
    assert None not in shifts
    assert len(set(shifts)) > 10  # independent offsets per image


def test_shift_reaches_every_offset() -> None:
    x = synthetic_digits(500, border=4)
    out = random_shift(x, 2, rng=1)
    shifts = {find_shift(x[i], out[i], 2) for i in range(len(x))}
    assert shifts == {(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)}


def test_shift_zero_is_identity() -> None:
    x = synthetic_digits(5)
    out = random_shift(x, 0, rng=0)
    np.testing.assert_array_equal(out, x)
    assert not np.shares_memory(out, x)


def test_shift_drops_pixels_pushed_out_of_the_frame() -> None:
    x = np.ones((50, 28, 28), dtype=np.float32)
    out = random_shift(x, 3, rng=0)
    assert (out.sum(axis=(1, 2)) <= 784).all()
    assert (out.sum(axis=(1, 2)) < 784).any()  # zero padding came in somewhere


@pytest.mark.parametrize(
    ("max_shift", "exc"), [(-1, ValueError), (28, ValueError), (1.5, TypeError), (True, TypeError)]
)
def test_shift_bad_max_shift(max_shift, exc) -> None:
    with pytest.raises(exc, match="max_shift"):
        random_shift(synthetic_digits(2), max_shift, rng=0)


# ---------------------------------------------------------------------------
# rotate / random_rotation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rotate_zero_is_identity(dtype) -> None:
    x = np.random.default_rng(0).random((4, 28, 28)).astype(dtype)
    np.testing.assert_allclose(rotate(x, 0.0), x, atol=1e-6)
    np.testing.assert_allclose(rotate(x, 360.0), x, atol=1e-4)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", [28, 27])
def test_rotate_quarter_turns_match_rot90(dtype, size: int) -> None:
    x = np.random.default_rng(1).random((3, size, size)).astype(dtype)
    np.testing.assert_allclose(rotate(x, 90.0), np.rot90(x, 1, axes=(1, 2)), atol=1e-5)
    np.testing.assert_allclose(rotate(x, -90.0), np.rot90(x, -1, axes=(1, 2)), atol=1e-5)
    np.testing.assert_allclose(rotate(x, 180.0), x[:, ::-1, ::-1], atol=1e-5)
    assert not np.allclose(rotate(x, 90.0), np.rot90(x, -1, axes=(1, 2)), atol=1e-2)  # direction matters


def test_rotate_per_image_angles_and_channels() -> None:
    x = np.random.default_rng(2).random((3, 2, 20, 20))
    out = rotate(x, np.array([90.0, 0.0, 180.0]))
    np.testing.assert_allclose(out[0], np.rot90(x[0], 1, axes=(1, 2)), atol=1e-9)
    np.testing.assert_allclose(out[1], x[1], atol=1e-9)
    np.testing.assert_allclose(out[2], x[2][:, ::-1, ::-1], atol=1e-9)


def test_rotate_keeps_a_centred_round_dot() -> None:
    blob = gaussian_blob()[None].astype(np.float32)
    for angle in (10.0, 37.0, -73.0):
        np.testing.assert_allclose(rotate(blob, angle), blob, atol=0.03)


def test_rotate_half_pixel_interpolation() -> None:
    # A single lit pixel rotated by 45 degrees lands between pixels: its mass is
    # spread by bilinear weights (all in [0, 1]) instead of vanishing or doubling.
    x = np.zeros((1, 28, 28))
    x[0, 13, 20] = 1.0
    out = rotate(x, 45.0)
    assert out.max() < 1.0
    assert out.min() >= 0.0
    assert 0.5 < out.sum() < 1.5


def test_rotate_fills_outside_with_zeros() -> None:
    x = np.ones((1, 28, 28))
    out = rotate(x, 45.0)
    assert out[0, 0, 0] == 0.0 and out[0, -1, -1] == 0.0  # corners come from outside
    assert out[0, 14, 14] == pytest.approx(1.0)


def test_random_rotation_zero_is_identity_and_angles_vary() -> None:
    x = synthetic_digits(5)
    np.testing.assert_array_equal(random_rotation(x, 0.0, rng=0), x)
    same = np.repeat(x[:1], 20, axis=0)
    out = random_rotation(same, 20.0, rng=0)
    assert len({out[i].tobytes() for i in range(20)}) == 20  # one angle per image
    # small rotations of a digit inside the frame keep (almost) all of its ink
    np.testing.assert_allclose(out.sum(axis=(1, 2)), same.sum(axis=(1, 2)), rtol=0.05)


@pytest.mark.parametrize(
    ("value", "exc"), [(-1.0, ValueError), (181.0, ValueError), (float("nan"), ValueError), ("10", TypeError)]
)
def test_random_rotation_bad_max_degrees(value, exc) -> None:
    with pytest.raises(exc, match="max_degrees"):
        random_rotation(synthetic_digits(2), value, rng=0)


@pytest.mark.parametrize(
    ("degrees", "exc"), [(np.zeros(3), ValueError), (float("inf"), ValueError), ("90", TypeError)]
)
def test_rotate_bad_degrees(degrees, exc) -> None:
    with pytest.raises(exc, match="degrees"):
        rotate(synthetic_digits(2), degrees)


# ---------------------------------------------------------------------------
# gaussian_noise
# ---------------------------------------------------------------------------


def test_noise_statistics() -> None:
    x = np.full((200, 784), 0.5)
    std = 0.1
    noise = gaussian_noise(x, std, rng=0) - x
    # 156 800 samples: standard error of the mean is std / 396 = 2.5e-4
    assert abs(noise.mean()) < 5 * std / np.sqrt(noise.size)
    assert noise.std() == pytest.approx(std, rel=0.02)
    assert abs(np.corrcoef(noise[:, :-1].ravel(), noise[:, 1:].ravel())[0, 1]) < 0.02  # independent pixels


def test_noise_clips_to_unit_interval_by_default() -> None:
    x = synthetic_digits(20, dtype=np.float32)
    out = gaussian_noise(x, 0.5, rng=0)
    assert out.dtype == np.float32
    assert out.min() == 0.0 and out.max() == 1.0
    raw = gaussian_noise(x, 0.5, rng=0, clip=False)
    assert raw.min() < 0.0 and raw.max() > 1.0
    np.testing.assert_array_equal(np.clip(raw, 0, 1), out)


def test_noise_zero_std_is_identity() -> None:
    x = synthetic_digits(3)
    np.testing.assert_array_equal(gaussian_noise(x, 0.0, rng=0), x)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"std": -0.1}, ValueError, "std"),
        ({"std": float("nan")}, ValueError, "std"),
        ({"std": "0.1"}, TypeError, "std"),
        ({"clip": "yes"}, TypeError, "clip"),
        ({"rng": 1.5}, TypeError, "rng"),
    ],
)
def test_noise_bad_arguments(kwargs, exc, match) -> None:
    with pytest.raises(exc, match=match):
        gaussian_noise(synthetic_digits(2), **kwargs)


def test_noise_rejects_integer_images() -> None:
    with pytest.raises(TypeError, match="images"):
        gaussian_noise(np.zeros((2, 784), dtype=np.uint8), 0.1, rng=0)


# ---------------------------------------------------------------------------
# horizontal_flip
# ---------------------------------------------------------------------------


def test_flip_p0_identity_p1_mirror() -> None:
    x = synthetic_digits(6)
    np.testing.assert_array_equal(horizontal_flip(x, 0.0, rng=0), x)
    np.testing.assert_array_equal(horizontal_flip(x, 1.0, rng=0), x[..., ::-1])
    x4 = x.reshape(6, 1, 28, 28)
    np.testing.assert_array_equal(horizontal_flip(x4, 1.0, rng=0), x4[..., ::-1])


def test_flip_flat_images_flips_the_picture_not_the_vector() -> None:
    x = synthetic_digits(6).reshape(6, 784)
    out = horizontal_flip(x, 1.0, rng=0)
    np.testing.assert_array_equal(out, x.reshape(6, 28, 28)[..., ::-1].reshape(6, 784))
    assert not np.array_equal(out, x[..., ::-1])  # that would be a 180-degree turn


def test_flip_probability() -> None:
    x = synthetic_digits(400)
    out = horizontal_flip(x, 0.3, rng=0)
    flipped = np.array([np.array_equal(o, xi[:, ::-1]) for o, xi in zip(out, x)])
    kept = np.array([np.array_equal(o, xi) for o, xi in zip(out, x)])
    assert (flipped ^ kept).all()  # each image is either mirrored or untouched
    assert flipped.mean() == pytest.approx(0.3, abs=0.08)  # binomial sd = 0.023


@pytest.mark.parametrize(("p", "exc"), [(-0.1, ValueError), (1.5, ValueError), (None, TypeError)])
def test_flip_bad_p(p, exc) -> None:
    with pytest.raises(exc, match="p"):
        horizontal_flip(synthetic_digits(2), p, rng=0)


# ---------------------------------------------------------------------------
# Augmenter
# ---------------------------------------------------------------------------


def test_augmenter_identity_when_all_zero() -> None:
    aug = Augmenter()
    assert aug.is_identity
    x = synthetic_digits(8).reshape(8, 784)
    out = aug(x, np.random.default_rng(0))
    np.testing.assert_array_equal(out, x)
    assert not np.shares_memory(out, x) and out.dtype == np.float32


def test_augmenter_training_loop_contract() -> None:
    aug = Augmenter(shift=2, rotation=10.0, noise_std=0.05, flip_p=0.0)
    x = synthetic_digits(100).reshape(100, 784)
    before = x.copy()
    out = aug(x, np.random.default_rng(0))
    assert out.shape == (100, 784) and out.dtype == np.float32
    np.testing.assert_array_equal(x, before)
    assert not np.array_equal(out, x)
    assert out.min() >= 0.0 and out.max() <= 1.0


def test_augmenter_fused_shift_is_an_integer_translation() -> None:
    # With a negligible angle the one-pass rotate+shift must reduce to the
    # pad-and-crop shift: exact integer offsets covering [-2, 2] on both axes.
    x = synthetic_digits(400, border=4)
    out = Augmenter(shift=2, rotation=1e-7)(x, np.random.default_rng(0))
    shifts = {find_shift(x[i], out[i], 2) for i in range(len(x))}
    assert shifts == {(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)}
    np.testing.assert_allclose(out.sum(axis=(1, 2)), x.sum(axis=(1, 2)), rtol=1e-4)


def test_augmenter_settings_for_history() -> None:
    aug = Augmenter(shift=np.int64(2), rotation=10, noise_std=0.1, flip_p=0.5)
    assert aug.as_dict() == {"shift": 2, "rotation": 10.0, "noise_std": 0.1, "flip_p": 0.5}
    assert all(type(v) in (int, float) for v in aug.as_dict().values())  # plain numbers, JSON-friendly
    assert repr(aug) == "Augmenter(shift=2, rotation=10.0, noise_std=0.1, flip_p=0.5)"
    assert aug == Augmenter(2, 10.0, 0.1, 0.5)
    assert not aug.is_identity


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"shift": -1}, ValueError, "shift"),
        ({"shift": 1.5}, TypeError, "shift"),
        ({"rotation": -5.0}, ValueError, "rotation"),
        ({"rotation": 270.0}, ValueError, "rotation"),
        ({"noise_std": -0.1}, ValueError, "noise_std"),
        ({"noise_std": float("inf")}, ValueError, "noise_std"),
        ({"flip_p": 1.1}, ValueError, "flip_p"),
        ({"flip_p": "0.5"}, TypeError, "flip_p"),
    ],
)
def test_augmenter_validates_at_construction(kwargs, exc, match) -> None:
    with pytest.raises(exc, match=match):
        Augmenter(**kwargs)


def test_augmenter_shift_too_large_for_the_images() -> None:
    with pytest.raises(ValueError, match="shift"):
        Augmenter(shift=30)(synthetic_digits(2), 0)


# ---------------------------------------------------------------------------
# augment_dataset
# ---------------------------------------------------------------------------


def test_augment_dataset_sizes_and_label_alignment() -> None:
    x = synthetic_digits(10).reshape(10, 784)
    t = np.arange(10) % 3
    x_aug, t_aug = augment_dataset(x, t, 2, Augmenter(flip_p=1.0), rng=0)
    assert x_aug.shape == (30, 784) and x_aug.dtype == x.dtype
    assert t_aug.shape == (30,)
    np.testing.assert_array_equal(x_aug[:10], x)  # originals first
    mirrored = x.reshape(10, 28, 28)[..., ::-1].reshape(10, 784)
    for k in (1, 2):
        np.testing.assert_array_equal(x_aug[10 * k : 10 * (k + 1)], mirrored)  # row k*N + i is sample i
        np.testing.assert_array_equal(t_aug[10 * k : 10 * (k + 1)], t)


def test_augment_dataset_random_copies_differ_and_one_hot_labels() -> None:
    x = synthetic_digits(7)
    t = np.eye(10)[np.arange(7)]
    x_aug, t_aug = augment_dataset(x, t, 3, Augmenter(shift=2, rotation=10.0), rng=0, chunk_size=3)
    assert x_aug.shape == (28, 28, 28) and t_aug.shape == (28, 10)
    assert not np.array_equal(x_aug[7:14], x_aug[14:21])  # fresh draws per copy
    np.testing.assert_array_equal(t_aug.argmax(axis=1), np.tile(np.arange(7), 4))
    x_again, _ = augment_dataset(x, t, 3, Augmenter(shift=2, rotation=10.0), rng=0, chunk_size=3)
    np.testing.assert_array_equal(x_aug, x_again)


def test_augment_dataset_zero_copies() -> None:
    x = synthetic_digits(4)
    t = np.arange(4)
    x_aug, t_aug = augment_dataset(x, t, 0, Augmenter(noise_std=0.1), rng=0)
    np.testing.assert_array_equal(x_aug, x)
    np.testing.assert_array_equal(t_aug, t)
    assert not np.shares_memory(x_aug, x)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"t": np.arange(5)}, ValueError, "t must have one label"),
        ({"copies": -1}, ValueError, "copies"),
        ({"copies": 1.0}, TypeError, "copies"),
        ({"augmenter": "flip"}, TypeError, "augmenter"),
        ({"augmenter": lambda xb, rng: xb[:, :10]}, ValueError, "augmenter"),
        ({"chunk_size": 0}, ValueError, "chunk_size"),
    ],
)
def test_augment_dataset_bad_arguments(kwargs, exc, match) -> None:
    args = {"x": synthetic_digits(4), "t": np.arange(4), "copies": 1, "augmenter": Augmenter(shift=1)}
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        augment_dataset(**args, rng=0)
