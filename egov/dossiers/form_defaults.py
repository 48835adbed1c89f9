# ruff: noqa: E501  (template text: one HTML row per line reads better than wrapped)
"""Default texts of the one-stop forms 01–07 (Thông tư 03/2025/TT-VPCP, Phụ lục I).

Titles are those of the circular's Phụ lục I (Mẫu số 01–07, in force from
15/9/2025, guiding Nghị định 118/2025/NĐ-CP); form 04 is the *Văn bản xin lỗi và
đề nghị gia hạn thời gian giải quyết* (it was the *Phiếu xin lỗi và hẹn lại ngày
trả kết quả* of TT 01/2018/TT-VPCP), issued as a numbered letter (number and
symbol, "V/v", recipients). The bodies carry the items the circular's forms
have (form 01: the copy line and the register reference; forms 02, 03: the
applicant's address, telephone and e-mail; form 06: signatures of who hands over
and who receives; form 07: number of sets and the receiving official), but the
exact wording could not be compared with a public copy of the circular's
annex: see ``docs/catalogue-sources.md`` ("Forms"). **The wording must be
checked against the circular by the province's legal staff before use**;
operators change it on the form-template pages without a release (it is data,
:class:`~egov.dossiers.models.FormTemplate`). Databases created before this
text keep their stored forms until an operator edits them.

The heading, place and date, form number, title, dossier code and QR code are
drawn by :mod:`egov.dossiers.paperforms.pdf` (and, for form 04, the letter's
number and "V/v" under the issuer); what is here is the part in between.

The bodies are Django templates producing the small HTML subset that fpdf2's
``write_html`` understands: ``p``, ``b``, ``i``, ``br``, ``h1``–``h3`` and
``table``/``tr``/``th``/``td``. A table cell holds plain text only (no tags
inside ``td``), which is why signatures are laid out with ``th`` headings.
The variables available are listed in :mod:`egov.dossiers.paperforms.context`.

Form 07 (the register) is rendered over many dossiers: its context has
``unit``, ``start_date``, ``end_date`` and ``rows`` instead of one dossier.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DefaultForm:
    code: str
    title: str
    body: str


# The same two signature blocks close most forms; kept as template text so an
# operator sees (and may change) the whole form in one place.
_SIGN_APPLICANT_AND_OFFICER = """
<br>
<table border="0" width="100%">
<tr><th width="50%">NGƯỜI NỘP HỒ SƠ</th><th width="50%">NGƯỜI TIẾP NHẬN HỒ SƠ</th></tr>
<tr><td align="center">(Ký và ghi rõ họ tên)</td><td align="center">(Ký và ghi rõ họ tên)</td></tr>
</table>
<br><br><br>
<table border="0" width="100%">
<tr><td width="50%" align="center">{{ applicant.name }}</td><td width="50%" align="center">{{ officer }}</td></tr>
</table>
"""

FORM_01 = (
    """<p>{{ unit.name }} đã tiếp nhận hồ sơ của: <b>{{ applicant.name }}</b></p>
<p>Số định danh cá nhân / mã số thuế: {{ applicant.id_number|default:"…………" }}</p>
<p>Địa chỉ: {{ applicant.address|default:"…………" }}</p>
<p>Số điện thoại: {{ applicant.phone|default:"…………" }}. Thư điện tử: {{ applicant.email|default:"…………" }}</p>
<p>Nội dung yêu cầu giải quyết: <b>{{ dossier.procedure_name }}</b> (mã thủ tục {{ dossier.procedure_code }}).</p>
<p>1. Thành phần hồ sơ nộp gồm:</p>
<table border="1" width="100%">
<tr><th width="8%">STT</th><th width="50%">Tên giấy tờ</th><th width="28%">Hình thức</th><th width="14%">Số lượng</th></tr>
{% for paper in received_papers %}<tr><td align="center">{{ paper.no }}</td><td>{{ paper.name }}</td><td>{{ paper.form }}</td><td align="center">{{ paper.copies }}</td></tr>
{% empty %}<tr><td align="center">—</td><td>Không có giấy tờ kèm theo</td><td></td><td></td></tr>
{% endfor %}</table>
<p>2. Số lượng hồ sơ: 01 (bộ).</p>
<p>3. Thời gian giải quyết hồ sơ theo quy định: {{ dossier.time_limit }}.</p>
<p>4. Thời gian nhận hồ sơ: {{ dossier.received_time }}, ngày {{ dossier.received_date }}.</p>
<p>5. Thời gian trả kết quả giải quyết hồ sơ: <b>{{ dossier.due_time }}, ngày {{ dossier.due_date }}</b>.</p>
<p>6. Phí, lệ phí: {{ dossier.fee }}.</p>
<p>7. Nhận kết quả tại: {{ unit.name }}{% if unit.address %}, {{ unit.address }}{% endif %}.</p>
<p>Vào Sổ theo dõi hồ sơ, Quyển số: {{ register.book }}, Số thứ tự: {{ register.serial }}. <i>Lập 02 liên: Liên 1 lưu tại Bộ phận Một cửa; Liên 2 giao cho người nộp hồ sơ. Tra cứu tình trạng hồ sơ bằng mã hồ sơ hoặc quét mã QR dưới đây.</i></p>
"""
    + _SIGN_APPLICANT_AND_OFFICER
)

FORM_02 = """<p>Ngày {{ dossier.received_date|default:issued_on.date }}, {{ unit.name }} tiếp nhận hồ sơ của: <b>{{ applicant.name }}</b></p>
<p>Địa chỉ: {{ applicant.address|default:"…………" }}</p>
<p>Số điện thoại: {{ applicant.phone|default:"…………" }}. Thư điện tử: {{ applicant.email|default:"…………" }}</p>
<p>Nội dung yêu cầu giải quyết: <b>{{ dossier.procedure_name }}</b>.</p>
<p>Sau khi xem xét, đối chiếu với quy định, hồ sơ cần bổ sung, hoàn thiện các nội dung sau:</p>
<table border="1" width="100%">
<tr><th width="8%">STT</th><th width="52%">Giấy tờ, nội dung cần bổ sung, hoàn thiện</th><th width="40%">Lý do</th></tr>
{% for item in missing %}<tr><td align="center">{{ item.no }}</td><td>{{ item.name }}</td><td>{{ item.reason }}</td></tr>
{% empty %}<tr><td align="center">1</td><td>{{ reason|default:"…………" }}</td><td></td></tr>
{% endfor %}</table>
{% if reason %}<p>Lý do: {{ reason }}</p>{% endif %}
<p>Thời gian giải quyết hồ sơ tạm dừng kể từ ngày phát hành phiếu này và được tính tiếp khi ông/bà nộp đủ giấy tờ bổ sung.</p>
<p>Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, ông/bà liên hệ {{ unit.name }}{% if unit.phone %}, số điện thoại {{ unit.phone }}{% endif %} để được hướng dẫn.</p>
<br>
<table border="0" width="100%">
<tr><th width="50%"></th><th width="50%">NGƯỜI HƯỚNG DẪN</th></tr>
<tr><td></td><td align="center">(Ký và ghi rõ họ tên)</td></tr>
</table>
<br><br><br>
<table border="0" width="100%">
<tr><td width="50%"></td><td width="50%" align="center">{{ officer }}</td></tr>
</table>
"""

FORM_03 = """<p>{{ unit.name }} tiếp nhận hồ sơ của: <b>{{ applicant.name }}</b></p>
<p>Địa chỉ: {{ applicant.address|default:"…………" }}</p>
<p>Số điện thoại: {{ applicant.phone|default:"…………" }}. Thư điện tử: {{ applicant.email|default:"…………" }}</p>
<p>Nội dung yêu cầu giải quyết: <b>{{ dossier.procedure_name }}</b>.</p>
<p>Qua xem xét, đối chiếu với quy định, {{ unit.name }} không tiếp nhận hồ sơ này với lý do:</p>
<p>{{ reason|default:"…………"|linebreaksbr }}</p>
<p>Xin thông báo để ông/bà biết và thực hiện.</p>
<br>
<table border="0" width="100%">
<tr><th width="50%"></th><th width="50%">NGƯỜI TIẾP NHẬN HỒ SƠ</th></tr>
<tr><td></td><td align="center">(Ký và ghi rõ họ tên)</td></tr>
</table>
<br><br><br>
<table border="0" width="100%">
<tr><td width="50%"></td><td width="50%" align="center">{{ officer }}</td></tr>
</table>
"""

FORM_04 = """<p>Kính gửi: <b>{{ applicant.name }}</b>{% if applicant.address %} ({{ applicant.address }}){% endif %}</p>
<p>Ngày {{ dossier.received_date }}, {{ agency.name }} tiếp nhận hồ sơ mã {{ dossier.code }} đề nghị giải quyết thủ tục <b>{{ dossier.procedure_name }}</b>, hẹn trả kết quả vào {{ apology.previous_due_time }}, ngày {{ apology.previous_due_date }}.</p>
<p>Đến nay, hồ sơ chưa giải quyết xong, quá thời hạn hẹn trả kết quả. Lý do: {{ apology.reason|linebreaksbr }}</p>
<p>Sự chậm trễ này đã gây phiền hà, tốn kém chi phí đi lại của ông/bà. {{ apology.unit }} xin lỗi ông/bà và đề nghị gia hạn thời gian giải quyết hồ sơ đến <b>{{ apology.new_due_time }}, ngày {{ apology.new_due_date }}</b>.</p>
<p>Rất mong nhận được sự thông cảm của ông/bà.</p>
<br>
<table border="0" width="100%">
<tr><th width="50%"></th><th width="50%">THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ</th></tr>
<tr><td></td><td align="center">(Ký, ghi rõ họ tên, đóng dấu)</td></tr>
</table>
<br><br><br>
<table border="0" width="100%">
<tr><td width="50%"></td><td width="50%" align="center">{{ apology.issued_by }}</td></tr>
</table>
<p><b><i>Nơi nhận:</i></b><br>{% for recipient in apology.recipients %}- {{ recipient }};<br>{% endfor %}- Lưu: VT.</p>
"""

FORM_05 = """<p>Kính gửi: <b>{{ applicant.name }}</b></p>
<p>Ngày {{ dossier.received_date }}, {{ agency.name }} tiếp nhận hồ sơ mã {{ dossier.code }} đề nghị giải quyết thủ tục <b>{{ dossier.procedure_name }}</b>.</p>
<p>{{ agency.name }} thông báo dừng giải quyết hồ sơ nêu trên với lý do:</p>
<p>{{ reason|default:"…………"|linebreaksbr }}</p>
<p>Ông/bà liên hệ {{ unit.name }}{% if unit.phone %} (số điện thoại {{ unit.phone }}){% endif %} để nhận lại hồ sơ và được hướng dẫn.</p>
<p>Xin thông báo để ông/bà biết.</p>
<br>
<table border="0" width="100%">
<tr><th width="50%"></th><th width="50%">THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ</th></tr>
<tr><td></td><td align="center">(Ký, ghi rõ họ tên, đóng dấu)</td></tr>
</table>
<br><br><br>
<table border="0" width="100%">
<tr><td width="50%"></td><td width="50%" align="center">{{ officer }}</td></tr>
</table>
"""

FORM_06 = """<p>Kèm theo hồ sơ mã <b>{{ dossier.code }}</b> của: <b>{{ applicant.name }}</b></p>
<p>Thủ tục: {{ dossier.procedure_name }}</p>
<p>Nhận hồ sơ: {{ dossier.received_time }}, ngày {{ dossier.received_date }}. Hẹn trả kết quả: {{ dossier.due_time }}, ngày {{ dossier.due_date }}.</p>
<table border="1" width="100%">
<tr><th width="6%">STT</th><th width="23%">Cơ quan, đơn vị giao, nhận</th><th width="15%">Thời gian giao, nhận hồ sơ</th><th width="15%">Người giao (ký, ghi rõ họ tên)</th><th width="15%">Người nhận (ký, ghi rõ họ tên)</th><th width="13%">Kết quả (trước hạn, đúng hạn, quá hạn)</th><th width="13%">Ghi chú</th></tr>
{% for row in control_rows %}<tr><td align="center">{{ row.no }}</td><td>{{ row.units }}</td><td>{{ row.time }}, {{ row.date }}</td><td>{{ row.handed_by }}</td><td>{{ row.received_by }}</td><td>{{ row.result }}</td><td>{{ row.note }}</td></tr>
{% empty %}<tr><td align="center">—</td><td>Chưa có lượt giao, nhận hồ sơ</td><td></td><td></td><td></td><td></td><td></td></tr>
{% endfor %}</table>
<p><i>Phiếu được lập từ các lượt giao, nhận hồ sơ ghi trên hệ thống một cửa điện tử; mỗi lượt giao, nhận trên bản giấy có chữ ký của người giao và người nhận.</i></p>
<br>
<table border="0" width="100%">
<tr><th width="50%">NGƯỜI GIAO HỒ SƠ</th><th width="50%">NGƯỜI NHẬN HỒ SƠ</th></tr>
<tr><td align="center">(Ký và ghi rõ họ tên)</td><td align="center">(Ký và ghi rõ họ tên)</td></tr>
</table>
<br><br><br>
<table border="0" width="100%">
<tr><td width="50%" align="center">{{ last_handover.handed_by }}</td><td width="50%" align="center">{{ last_handover.received_by }}</td></tr>
</table>
"""

FORM_07 = """<p>Đơn vị: <b>{{ unit.name }}</b>. Từ ngày {{ start_date }} đến ngày {{ end_date }}. Tổng số: {{ rows|length }} hồ sơ.</p>
<table border="1" width="100%">
<tr><th width="4%">STT</th><th width="12%">Mã hồ sơ</th><th width="12%">Tên thủ tục hành chính</th><th width="5%">Số lượng hồ sơ (bộ)</th><th width="15%">Tổ chức, cá nhân nộp hồ sơ (địa chỉ, điện thoại)</th><th width="9%">Cơ quan chủ trì giải quyết</th><th width="8%">Người tiếp nhận</th><th width="6%">Nhận hồ sơ</th><th width="6%">Hẹn trả kết quả</th><th width="6%">Có kết quả</th><th width="6%">Trả kết quả</th><th width="7%">Tình trạng</th><th width="4%">Ghi chú</th></tr>
{% for row in rows %}<tr><td align="center">{{ row.no }}</td><td>{{ row.code }}</td><td>{{ row.procedure_name }}</td><td align="center">{{ row.sets }}</td><td>{{ row.applicant }}</td><td>{{ row.handling_agency }}</td><td>{{ row.received_by }}</td><td>{{ row.received_date }}</td><td>{{ row.due_date }}</td><td>{{ row.resolved_date }}</td><td>{{ row.returned_date }}</td><td>{{ row.status }}</td><td>{{ row.note }}</td></tr>
{% empty %}<tr><td align="center">—</td><td>Không có hồ sơ trong kỳ</td><td></td><td></td><td></td><td></td><td></td><td></td><td></td><td></td><td></td><td></td><td></td></tr>
{% endfor %}</table>
"""

DEFAULT_FORMS: tuple[DefaultForm, ...] = (
    DefaultForm("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", FORM_01),
    DefaultForm("02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", FORM_02),
    DefaultForm("03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ", FORM_03),
    DefaultForm("04", "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết", FORM_04),
    DefaultForm("05", "Thông báo dừng giải quyết hồ sơ", FORM_05),
    DefaultForm("06", "Phiếu kiểm soát quá trình giải quyết hồ sơ", FORM_06),
    DefaultForm("07", "Sổ theo dõi hồ sơ", FORM_07),
)

#: Form numbers that describe one dossier (07, the register, spans many).
DOSSIER_FORM_CODES: tuple[str, ...] = ("01", "02", "03", "04", "05", "06")
REGISTER_FORM_CODE = "07"
FORM_CODES: tuple[str, ...] = (*DOSSIER_FORM_CODES, REGISTER_FORM_CODE)


def default_form(code: str) -> DefaultForm:
    """The shipped text of form ``code`` (``KeyError`` for an unknown number)."""
    for form in DEFAULT_FORMS:
        if form.code == code:
            return form
    raise KeyError(code)


def ensure_default_form_templates(template_model: Any = None) -> int:
    """Create the form templates that are missing; never overwrite an existing one
    (an operator may have edited it). Returns how many were created.

    Safe to call repeatedly: from a data migration (pass
    ``apps.get_model("dossiers", "FormTemplate")``), from ``load_demo`` and from test
    fixtures on a flushed database.
    """
    if template_model is None:
        from egov.dossiers.models import FormTemplate as template_model
    created = 0
    for form in DEFAULT_FORMS:
        _, was_created = template_model.objects.get_or_create(
            code=form.code, defaults={"title": form.title, "body": form.body}
        )
        created += int(was_created)
    return created
