from django import forms

from vistka.core.models import Comment


class CommentForm(forms.ModelForm):
    # A field people never see: bots fill it, readers leave it empty.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    class Meta:
        model = Comment
        fields = ["name", "email", "text"]
        labels = {"email": "E-mail (optional, never shown)", "text": "Comment"}
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}

    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))
