"""A service score per unit in the style of the national real-time index (Decision 766/QĐ-TTg).

Official scores come only from the national portal; this is an early-warning estimate from the
local dossier data, using the index's groups, weights and thresholds (docs/service-index.md).
Groups the dossier data cannot measure (transparency, 18 points; parts of digitisation) are left
out and the total is rescaled to 100 over the points that could be measured.
"""

from __future__ import annotations

from dataclasses import dataclass

from queries.kpis import Kpis

PROGRESS_MAX = 20.0  # Tiến độ giải quyết
ONLINE_MAX = 12.0  # Dịch vụ công trực tuyến: full marks at >= 50 % online
PAYMENT_MAX = 10.0  # Thanh toán trực tuyến
DIGITIZATION_MAX = 10.0  # Số hóa: 4.1 e-result (6) + 4.2 digitized dossiers (4) of the 22 points
SATISFACTION_MAX = 6.0  # Mức độ hài lòng 5.4: full marks at >= 90 %
MEASURED_MAX = PROGRESS_MAX + ONLINE_MAX + PAYMENT_MAX + DIGITIZATION_MAX + SATISFACTION_MAX

WEAK_BELOW = 50.0  # rating bands: < 50 weak, >= 90 excellent (domain.md 2.1)
EXCELLENT_FROM = 90.0


@dataclass(frozen=True)
class ServiceScore:
    progress: float
    online: float
    payment: float
    digitization: float
    satisfaction: float

    @property
    def measured(self) -> float:
        return self.progress + self.online + self.payment + self.digitization + self.satisfaction

    @property
    def total(self) -> float:
        """Out of 100: the measured points rescaled from MEASURED_MAX."""
        return 100.0 * self.measured / MEASURED_MAX


def service_score(kpis: Kpis) -> ServiceScore | None:
    """None when the unit processed nothing in the period (no score rather than a fake one)."""
    progress = kpis.progress_ratio
    if progress is None:
        return None
    online = min(1.0, (kpis.online_share or 0.0) / 0.5)
    payment = kpis.payment_share if kpis.payment_share is not None else 1.0
    result = kpis.digitized_result_share if kpis.digitized_result_share is not None else 0.0
    digitized = kpis.digitized_share or 0.0
    late = kpis.late_rate or 0.0
    dissatisfied = kpis.dissatisfied / kpis.ratings if kpis.ratings else 0.0
    satisfied_ratio = max(0.0, 1.0 - late - dissatisfied)
    return ServiceScore(
        progress=PROGRESS_MAX * progress,
        online=ONLINE_MAX * online,
        payment=PAYMENT_MAX * payment,
        digitization=6.0 * result + 4.0 * min(1.0, digitized / 0.8),
        satisfaction=SATISFACTION_MAX * min(1.0, satisfied_ratio / 0.9),
    )


def is_problem_unit(kpis: Kpis, score: ServiceScore | None, province: Kpis | None = None) -> bool:
    """Flag the few units a supervisor should look at first.

    Weak score, an on-time rate under 90 %, or an overdue share of the backlog both above 10 %
    and more than twice the province's (an absolute bar alone would flag every unit in a
    province whose whole backlog is slipping, which tells the supervisor nothing).
    """
    if score is not None and score.total < WEAK_BELOW:
        return True
    on_time = kpis.on_time_rate
    if on_time is not None and kpis.resolved >= 20 and on_time < 0.9:
        return True
    if kpis.open < 20:
        return False
    share = kpis.overdue / kpis.open
    province_share = province.overdue / province.open if province and province.open else 0.0
    return share > max(0.1, 2 * province_share)
