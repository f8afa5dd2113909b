import pytest
from temporalio.exceptions import ApplicationError

from activities.errors import BUSINESS, classified
from adapters.errors import BusinessRejection, TransientError


def test_business_rejection_is_non_retryable_with_only_the_reason():
    with pytest.raises(ApplicationError) as exc, classified("dukcapil"):
        raise BusinessRejection("IBU_TIDAK_DI_KK", "ibu 3673055610250001 tidak ada di KK")
    err = exc.value
    assert (err.type, err.non_retryable, err.details) == (BUSINESS, True, ("IBU_TIDAK_DI_KK",))
    assert "3673055610250001" not in err.message  # history gets the code, never the echoed data


def test_transient_error_stays_retryable():
    with pytest.raises(ApplicationError) as exc, classified("bpjs"):
        raise TransientError("BPJS answered HTTP 503", status_code=503)
    assert exc.value.non_retryable is False
    assert exc.value.message == "bpjs unavailable (HTTP 503)"


def test_other_errors_pass_through():
    with pytest.raises(KeyError), classified("bpjs"):
        raise KeyError("x")
